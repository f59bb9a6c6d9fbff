// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {ISPVToken} from "./ISPVToken.sol";
import {ITransferPolicy} from "./ITransferPolicy.sol";
import {NavMath} from "./NavMath.sol";

/// @title SPVToken
/// @notice ERC-20 (18 decimals) of pro-rata claims on one off-chain asset held by an SPV, with a
///         custodian-attested NAV, subscriptions at NAV and a gated, delayed redemption queue
///         settled in a 6-decimal stablecoin. See ISPVToken for units and semantics.
/// @dev Roles: DEFAULT_ADMIN_ROLE (admin; also gets MANAGER_ROLE at deployment), CUSTODIAN_ROLE
///      (NAV reports), MANAGER_ROLE (cash withdrawals). Freeze and impairment: custodian or admin.
///      Escrow: shares of Pending requests are the SPV's own balance; shares can reach that
///      balance only through requestRedemption (direct transfers to the SPV revert), so
///      balanceOf(address(this)) == pendingRedemptionShares at all times.
contract SPVToken is ISPVToken, ERC20, AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @inheritdoc ISPVToken
    uint8 public constant NAV_DECIMALS = 6;
    /// @inheritdoc ISPVToken
    bytes32 public constant CUSTODIAN_ROLE = keccak256("CUSTODIAN_ROLE");
    /// @inheritdoc ISPVToken
    bytes32 public constant MANAGER_ROLE = keccak256("MANAGER_ROLE");

    /// @inheritdoc ISPVToken
    IERC20 public immutable settlementToken;
    /// @inheritdoc ISPVToken
    AssetKind public immutable assetKind;
    /// @inheritdoc ISPVToken
    uint64 public immutable settlementDelay;
    /// @inheritdoc ISPVToken
    uint16 public immutable gateBps;
    /// @inheritdoc ISPVToken
    uint64 public immutable gateWindow;
    /// @inheritdoc ISPVToken
    uint64 public immutable gateEpoch;

    /// @inheritdoc ISPVToken
    bool public redemptionsFrozen;
    /// @inheritdoc ISPVToken
    bool public impaired;
    /// @inheritdoc ISPVToken
    string public impairmentReason;
    /// @inheritdoc ISPVToken
    address public transferPolicy;
    /// @inheritdoc ISPVToken
    uint256 public pendingRedemptionShares;

    NavReport[] private _navReports;
    RedemptionRequest[] private _requests;

    /// @dev Gate window last touched by a request, mint or burn; supply (18 decimals) at its
    ///      start and shares (18 decimals) requested in it net of same-window cancellations.
    uint64 private _gateWindowIndex;
    uint256 private _gateSupplyAtStart;
    uint256 private _gateRequested;

    /// @dev Reverts with AccessControlUnauthorizedAccount(caller, CUSTODIAN_ROLE) unless the
    ///      caller is custodian or admin.
    modifier onlyCustodianOrAdmin() {
        if (!hasRole(CUSTODIAN_ROLE, msg.sender) && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert AccessControlUnauthorizedAccount(msg.sender, CUSTODIAN_ROLE);
        }
        _;
    }

    /// @param settlementToken_ 6-decimal stablecoin used for subscriptions and redemptions.
    /// @param settlementDelay_ seconds between a redemption request and its earliest settlement (0 allowed).
    /// @param gateBps_ shares requestable per window, in bps of the supply at the window's start (1..10_000).
    /// @param gateWindow_ gate window length in seconds (> 0); window 0 starts now.
    /// @param initialNavPerToken NAV (6 decimals per 1e18 shares) recorded as report 0, as of now.
    constructor(
        string memory name_,
        string memory symbol_,
        IERC20 settlementToken_,
        address admin,
        address custodian,
        AssetKind assetKind_,
        uint64 settlementDelay_,
        uint16 gateBps_,
        uint64 gateWindow_,
        uint256 initialNavPerToken
    ) ERC20(name_, symbol_) {
        if (address(settlementToken_) == address(0)) revert ZeroAddress("settlementToken");
        if (admin == address(0)) revert ZeroAddress("admin");
        if (custodian == address(0)) revert ZeroAddress("custodian");
        uint8 stableDecimals = IERC20Metadata(address(settlementToken_)).decimals();
        if (stableDecimals != NAV_DECIMALS) revert UnsupportedSettlementDecimals(stableDecimals);
        if (gateBps_ == 0 || gateBps_ > NavMath.BPS || gateWindow_ == 0) revert InvalidGate(gateBps_, gateWindow_);

        settlementToken = settlementToken_;
        assetKind = assetKind_;
        settlementDelay = settlementDelay_;
        gateBps = gateBps_;
        gateWindow = gateWindow_;
        gateEpoch = uint64(block.timestamp);

        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MANAGER_ROLE, admin);
        _grantRole(CUSTODIAN_ROLE, custodian);

        _navReports.push(NavReport(initialNavPerToken, uint64(block.timestamp), uint64(block.timestamp)));
        emit NavReported(initialNavPerToken, uint64(block.timestamp), 0);
    }

    // ---------------------------------------------------------------- NAV

    /// @inheritdoc ISPVToken
    function reportNav(uint256 navPerToken, uint64 asOf) external onlyRole(CUSTODIAN_ROLE) {
        if (asOf > block.timestamp) revert NavFromFuture(asOf, block.timestamp);
        uint64 latestAsOf = _navReports[_navReports.length - 1].asOf;
        if (asOf < latestAsOf) revert StaleNav(asOf, latestAsOf);

        _navReports.push(NavReport(navPerToken, asOf, uint64(block.timestamp)));
        emit NavReported(navPerToken, asOf, _navReports.length - 1);
    }

    /// @inheritdoc ISPVToken
    function navReportCount() external view returns (uint256) {
        return _navReports.length;
    }

    /// @inheritdoc ISPVToken
    function navReport(uint256 index) external view returns (uint256 navPerToken, uint64 asOf, uint64 reportedAt) {
        if (index >= _navReports.length) revert UnknownNavReport(index, _navReports.length);
        NavReport storage report = _navReports[index];
        return (report.navPerToken, report.asOf, report.reportedAt);
    }

    /// @inheritdoc ISPVToken
    function latestNav() public view returns (uint256 navPerToken, uint64 asOf, uint64 reportedAt) {
        NavReport storage report = _navReports[_navReports.length - 1];
        return (report.navPerToken, report.asOf, report.reportedAt);
    }

    // ---------------------------------------------------------------- primary market

    /// @inheritdoc ISPVToken
    function subscribe(uint256 stableAmount) external nonReentrant returns (uint256 shares) {
        if (redemptionsFrozen) revert RedemptionsFrozen();
        if (impaired) revert SpvImpaired(impairmentReason);
        (uint256 nav,,) = latestNav();
        if (nav == 0) revert NavIsZero(_navReports.length - 1);
        shares = NavMath.sharesForStable(stableAmount, nav);
        if (shares == 0) revert SubscriptionTooSmall(stableAmount, nav);

        settlementToken.safeTransferFrom(msg.sender, address(this), stableAmount);
        _mint(msg.sender, shares);
        emit Subscribed(msg.sender, stableAmount, shares, nav);
    }

    /// @inheritdoc ISPVToken
    function previewSubscribe(uint256 stableAmount) external view returns (uint256) {
        (uint256 nav,,) = latestNav();
        return nav == 0 ? 0 : NavMath.sharesForStable(stableAmount, nav);
    }

    /// @inheritdoc ISPVToken
    function previewRedeem(uint256 shares) external view returns (uint256) {
        (uint256 nav,,) = latestNav();
        return NavMath.stableForShares(shares, nav);
    }

    /// @inheritdoc ISPVToken
    function requestRedemption(uint256 shares) external nonReentrant returns (uint256 requestId) {
        if (shares == 0) revert ZeroAmount();
        if (redemptionsFrozen) revert RedemptionsFrozen();
        _rollGateWindow();
        uint256 remaining = NavMath.gateCap(_gateSupplyAtStart, gateBps) - _gateRequested;
        if (shares > remaining) revert GateExceeded(shares, remaining);

        _gateRequested += shares;
        pendingRedemptionShares += shares;
        uint64 claimableAt = uint64(block.timestamp) + settlementDelay;
        requestId = _requests.length;
        _requests.push(
            RedemptionRequest({
                holder: msg.sender,
                claimableAt: claimableAt,
                status: RequestStatus.Pending,
                shares: shares,
                requestedAt: uint64(block.timestamp),
                gateWindowIndex: _gateWindowIndex
            })
        );
        _transfer(msg.sender, address(this), shares);
        emit RedemptionRequested(requestId, msg.sender, shares, claimableAt);
    }

    /// @inheritdoc ISPVToken
    function settleRedemption(uint256 requestId) external nonReentrant returns (uint256 paid) {
        RedemptionRequest storage request = _pendingRequest(requestId);
        if (redemptionsFrozen) revert RedemptionsFrozen();
        if (block.timestamp < request.claimableAt) {
            revert RedemptionNotClaimable(requestId, request.claimableAt, block.timestamp);
        }
        (uint256 nav,,) = latestNav();
        uint256 shares = request.shares;
        paid = NavMath.stableForShares(shares, nav);
        uint256 cash = settlementToken.balanceOf(address(this));
        if (paid > cash) revert InsufficientCash(paid, cash);

        request.status = RequestStatus.Settled;
        pendingRedemptionShares -= shares;
        _burn(address(this), shares);
        address holder = request.holder;
        if (paid != 0) settlementToken.safeTransfer(holder, paid); // 0 at a written-off NAV
        emit RedemptionSettled(requestId, holder, shares, nav, paid);
    }

    /// @inheritdoc ISPVToken
    function cancelRedemption(uint256 requestId) external nonReentrant {
        RedemptionRequest storage request = _pendingRequest(requestId);
        if (msg.sender != request.holder) revert NotRequester(requestId, msg.sender, request.holder);

        uint256 shares = request.shares;
        request.status = RequestStatus.Cancelled;
        pendingRedemptionShares -= shares;
        uint256 released = 0;
        if (request.gateWindowIndex == _currentGateWindowIndex()) {
            // The request rolled the stored window to its own index, and only a later window can
            // replace it, so the stored counter is that window's and still includes `shares`.
            released = shares;
            _gateRequested -= shares;
        }
        _transfer(address(this), msg.sender, shares);
        emit RedemptionCancelled(requestId, msg.sender, shares, released);
    }

    /// @inheritdoc ISPVToken
    function redemptionRequest(uint256 requestId) external view returns (RedemptionRequest memory) {
        if (requestId >= _requests.length) revert UnknownRedemptionRequest(requestId, _requests.length);
        return _requests[requestId];
    }

    /// @inheritdoc ISPVToken
    function redemptionRequestCount() external view returns (uint256) {
        return _requests.length;
    }

    /// @inheritdoc ISPVToken
    function gateStatus()
        external
        view
        returns (
            uint64 windowIndex,
            uint64 windowStart,
            uint256 supplyAtStart,
            uint256 capShares,
            uint256 requestedShares,
            uint256 remainingShares
        )
    {
        windowIndex = _currentGateWindowIndex();
        windowStart = gateEpoch + windowIndex * gateWindow;
        if (windowIndex == _gateWindowIndex) {
            (supplyAtStart, requestedShares) = (_gateSupplyAtStart, _gateRequested);
        } else {
            // No mint or burn since this window started (either would have rolled it).
            supplyAtStart = totalSupply();
        }
        capShares = NavMath.gateCap(supplyAtStart, gateBps);
        remainingShares = capShares - requestedShares;
    }

    // ---------------------------------------------------------------- cash

    /// @inheritdoc ISPVToken
    function cashReserve() external view returns (uint256) {
        return settlementToken.balanceOf(address(this));
    }

    /// @inheritdoc ISPVToken
    function withdrawCash(address to, uint256 amount) external onlyRole(MANAGER_ROLE) nonReentrant {
        if (amount == 0) revert ZeroAmount();
        uint256 cash = settlementToken.balanceOf(address(this));
        if (amount > cash) revert InsufficientCash(amount, cash);

        settlementToken.safeTransfer(to, amount);
        emit CashWithdrawn(msg.sender, to, amount, cash - amount);
    }

    /// @inheritdoc ISPVToken
    function depositCash(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();

        settlementToken.safeTransferFrom(msg.sender, address(this), amount);
        emit CashDeposited(msg.sender, amount, settlementToken.balanceOf(address(this)));
    }

    // ---------------------------------------------------------------- impairment and policy

    /// @inheritdoc ISPVToken
    function freezeRedemptions(bool frozen) external onlyCustodianOrAdmin {
        redemptionsFrozen = frozen;
        emit RedemptionsFrozenUpdated(frozen, msg.sender);
    }

    /// @inheritdoc ISPVToken
    function setImpaired(bool impaired_, string calldata reason) external onlyCustodianOrAdmin {
        impaired = impaired_;
        impairmentReason = reason;
        emit ImpairmentUpdated(impaired_, reason, msg.sender);
    }

    /// @inheritdoc ISPVToken
    function setTransferPolicy(address policy) external onlyRole(DEFAULT_ADMIN_ROLE) {
        address previous = transferPolicy;
        transferPolicy = policy;
        emit TransferPolicyUpdated(previous, policy);
    }

    // ---------------------------------------------------------------- ERC-20 hooks

    /// @notice ERC-20 transfer; reverts with DirectTransferToSpv if `to` is the SPV itself.
    function transfer(address to, uint256 value) public override returns (bool) {
        if (to == address(this)) revert DirectTransferToSpv(msg.sender, value);
        return super.transfer(to, value);
    }

    /// @notice ERC-20 transferFrom; reverts with DirectTransferToSpv if `to` is the SPV itself.
    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (to == address(this)) revert DirectTransferToSpv(from, value);
        return super.transferFrom(from, to, value);
    }

    /// @dev Every balance change passes here. Mints and burns first close the gate window so its
    ///      supply snapshot is the supply at the window's start. Then the transfer policy is asked,
    ///      except for releases from escrow (from = SPV); a request (to = SPV) is asked as a burn
    ///      (to = 0), so the SPV never needs to be on any allowlist.
    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) _rollGateWindow();
        address policy = transferPolicy;
        if (policy != address(0) && from != address(this)) {
            address checkedTo = to == address(this) ? address(0) : to;
            if (!ITransferPolicy(policy).checkTransfer(from, checkedTo, value)) {
                revert TransferRestricted(from, to, value);
            }
        }
        super._update(from, to, value);
    }

    // ---------------------------------------------------------------- internals

    function _currentGateWindowIndex() private view returns (uint64) {
        return (uint64(block.timestamp) - gateEpoch) / gateWindow;
    }

    /// @dev Opens the current gate window if the stored one is older; call before any supply change.
    function _rollGateWindow() private {
        uint64 index = _currentGateWindowIndex();
        if (index == _gateWindowIndex) return;
        uint256 supply = totalSupply();
        uint256 cap = NavMath.gateCap(supply, gateBps);
        _gateWindowIndex = index;
        _gateSupplyAtStart = supply;
        _gateRequested = 0;
        emit GateWindowOpened(index, gateEpoch + index * gateWindow, supply, cap);
    }

    function _pendingRequest(uint256 requestId) private view returns (RedemptionRequest storage request) {
        if (requestId >= _requests.length) revert UnknownRedemptionRequest(requestId, _requests.length);
        request = _requests[requestId];
        if (request.status != RequestStatus.Pending) revert RedemptionNotPending(requestId, request.status);
    }
}
