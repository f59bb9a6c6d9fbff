// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title ISPVToken
/// @notice Pro-rata claims on one off-chain asset (a building, a book of SME loans) held by a
///         special purpose vehicle. A custodian attests the NAV; investors subscribe at NAV and
///         redeem slowly through a gated, delayed queue paid from the SPV's stablecoin cash.
/// @dev Units everywhere: shares have 18 decimals; stablecoin amounts have 6 decimals;
///      navPerToken is stablecoin units (NAV_DECIMALS = 6) per 1e18 share units (one whole token),
///      so value = shares * navPerToken / 1e18, rounded down. Times are unix seconds.
interface ISPVToken {
    /// @notice What the SPV holds. ABI: uint8 (0 = RealEstate, 1 = PrivateCredit).
    enum AssetKind {
        RealEstate,
        PrivateCredit
    }

    /// @notice Life of a redemption request. ABI: uint8 (0 = None, i.e. unknown id).
    enum RequestStatus {
        None,
        Pending,
        Settled,
        Cancelled
    }

    /// @notice One custodian attestation.
    struct NavReport {
        uint256 navPerToken; // stablecoin units (6 decimals) per 1e18 shares
        uint64 asOf; // when the valuation was true (unix seconds)
        uint64 reportedAt; // block timestamp of the report (unix seconds)
    }

    /// @notice One redemption request; `shares` sit in escrow (the SPV's own balance) while Pending.
    struct RedemptionRequest {
        address holder;
        uint64 claimableAt; // unix seconds; settle allowed from this timestamp on
        RequestStatus status;
        uint256 shares; // 18 decimals
        uint64 requestedAt; // unix seconds
        uint64 gateWindowIndex; // gate window the request counted against
    }

    // ---------------------------------------------------------------- events

    /// @notice The custodian attested `navPerToken` (6 decimals per 1e18 shares) as of `asOf`;
    ///         `reportIndex` is its position in the history (0 = the constructor's initial NAV).
    event NavReported(uint256 navPerToken, uint64 asOf, uint256 reportIndex);
    /// @notice `subscriber` paid `stableAmount` (6 decimals) for `shares` (18 decimals) at `navPerToken`.
    event Subscribed(address indexed subscriber, uint256 stableAmount, uint256 shares, uint256 navPerToken);
    /// @notice A new gate window started; `capShares` = supplyAtStart * gateBps / 10_000.
    event GateWindowOpened(uint64 indexed windowIndex, uint64 windowStart, uint256 supplyAtStart, uint256 capShares);
    /// @notice `holder` escrowed `shares` for redemption; payable from `claimableAt`.
    event RedemptionRequested(uint256 indexed requestId, address indexed holder, uint256 shares, uint64 claimableAt);
    /// @notice Request `requestId` was paid `paid` stablecoin (6 decimals) for `shares` burned at `navPerToken`.
    event RedemptionSettled(
        uint256 indexed requestId, address indexed holder, uint256 shares, uint256 navPerToken, uint256 paid
    );
    /// @notice `holder` took back `shares` from escrow; `gateReleased` shares of the current window's
    ///         cap were given back (all of them if cancelled in the window of the request, else 0).
    event RedemptionCancelled(uint256 indexed requestId, address indexed holder, uint256 shares, uint256 gateReleased);
    /// @notice `by` (MANAGER_ROLE) moved `amount` stablecoin to `to` (the off-chain asset); `cashAfter` is left.
    event CashWithdrawn(address indexed by, address indexed to, uint256 amount, uint256 cashAfter);
    /// @notice `from` added `amount` stablecoin to the cash reserve; `cashAfter` is the new reserve.
    event CashDeposited(address indexed from, uint256 amount, uint256 cashAfter);
    /// @notice Redemptions were frozen (`frozen` = true) or unfrozen by `by`.
    event RedemptionsFrozenUpdated(bool frozen, address indexed by);
    /// @notice The SPV was marked impaired (or cleared) by `by`, with `reason`.
    event ImpairmentUpdated(bool impaired, string reason, address indexed by);
    /// @notice The transfer policy changed (address(0) = open transfers).
    event TransferPolicyUpdated(address indexed previousPolicy, address indexed newPolicy);

    // ---------------------------------------------------------------- errors

    /// @notice A constructor address argument was zero.
    error ZeroAddress(string parameter);
    /// @notice The settlement token does not have 6 decimals.
    error UnsupportedSettlementDecimals(uint8 decimals);
    /// @notice gateBps must be in (0, 10_000] and gateWindow > 0.
    error InvalidGate(uint16 gateBps, uint64 gateWindow);
    /// @notice A NAV report's `asOf` is later than the current block timestamp.
    error NavFromFuture(uint64 asOf, uint256 blockTimestamp);
    /// @notice A NAV report's `asOf` is older than the latest report's `latestAsOf`.
    error StaleNav(uint64 asOf, uint64 latestAsOf);
    /// @notice No NAV report at `index`; `count` reports exist.
    error UnknownNavReport(uint256 index, uint256 count);
    /// @notice Redemptions are frozen: no subscriptions, no requests, no settlements.
    error RedemptionsFrozen();
    /// @notice The SPV is impaired (reason given): no subscriptions.
    error SpvImpaired(string reason);
    /// @notice The latest NAV (report `reportIndex`) is 0: no subscriptions.
    error NavIsZero(uint256 reportIndex);
    /// @notice `stableAmount` buys 0 shares at `navPerToken`.
    error SubscriptionTooSmall(uint256 stableAmount, uint256 navPerToken);
    /// @notice An amount of 0 (shares or stablecoin) was passed.
    error ZeroAmount();
    /// @notice `requested` shares exceed the `remainingInWindow` of the current gate window.
    error GateExceeded(uint256 requested, uint256 remainingInWindow);
    /// @notice No redemption request `requestId`; `count` requests exist.
    error UnknownRedemptionRequest(uint256 requestId, uint256 count);
    /// @notice Request `requestId` is not Pending (`status` is Settled or Cancelled): never paid twice.
    error RedemptionNotPending(uint256 requestId, RequestStatus status);
    /// @notice Request `requestId` is claimable from `claimableAt`; it is `currentTime`.
    error RedemptionNotClaimable(uint256 requestId, uint64 claimableAt, uint256 currentTime);
    /// @notice `needed` stablecoin (6 decimals) exceeds the cash reserve `available`.
    error InsufficientCash(uint256 needed, uint256 available);
    /// @notice Only the request's `holder` may cancel it; `caller` tried.
    error NotRequester(uint256 requestId, address caller, address holder);
    /// @notice The transfer policy refused `amount` shares from `from` to `to`.
    error TransferRestricted(address from, address to, uint256 amount);
    /// @notice Shares reach the SPV only through requestRedemption; `from` tried to send `amount`.
    error DirectTransferToSpv(address from, uint256 amount);

    // ---------------------------------------------------------------- configuration views

    /// @notice 6: navPerToken is in stablecoin units (6 decimals) per 1e18 share units.
    function NAV_DECIMALS() external view returns (uint8);
    /// @notice Role that reports the NAV (and may freeze / impair).
    function CUSTODIAN_ROLE() external view returns (bytes32);
    /// @notice Role that moves cash out of the SPV into the off-chain asset.
    function MANAGER_ROLE() external view returns (bytes32);
    /// @notice The 6-decimal settlement stablecoin.
    function settlementToken() external view returns (IERC20);
    /// @notice What the SPV holds.
    function assetKind() external view returns (AssetKind);
    /// @notice Seconds between a redemption request and the time it may be settled.
    function settlementDelay() external view returns (uint64);
    /// @notice Shares requestable per gate window, in bps of the supply at the window's start.
    function gateBps() external view returns (uint16);
    /// @notice Length of a gate window in seconds.
    function gateWindow() external view returns (uint64);
    /// @notice Start of gate window 0 (deployment timestamp); window i starts at gateEpoch + i * gateWindow.
    function gateEpoch() external view returns (uint64);

    // ---------------------------------------------------------------- NAV

    /// @notice Custodian attests `navPerToken` (6 decimals per 1e18 shares) as of `asOf`.
    /// @dev asOf must be <= block.timestamp and >= the latest report's asOf (equal = a correction).
    ///      navPerToken = 0 is accepted (a total write-off); it closes subscriptions, and
    ///      redemptions settled at 0 burn shares for nothing (holders may cancel instead).
    function reportNav(uint256 navPerToken, uint64 asOf) external;
    /// @notice Number of NAV reports, including the constructor's initial one.
    function navReportCount() external view returns (uint256);
    /// @notice Report `index` (0-based): (navPerToken, asOf, reportedAt).
    function navReport(uint256 index) external view returns (uint256 navPerToken, uint64 asOf, uint64 reportedAt);
    /// @notice The latest report: (navPerToken, asOf, reportedAt).
    function latestNav() external view returns (uint256 navPerToken, uint64 asOf, uint64 reportedAt);

    // ---------------------------------------------------------------- primary market

    /// @notice Pays `stableAmount` (6 decimals, pulled from the caller into the cash reserve) for
    ///         shares minted to the caller at the latest NAV, rounded down.
    /// @dev Reverts while frozen, impaired or at NAV 0. The transfer policy sees a mint (from = 0).
    function subscribe(uint256 stableAmount) external returns (uint256 shares);
    /// @notice Shares `stableAmount` would buy now (0 if NAV is 0).
    function previewSubscribe(uint256 stableAmount) external view returns (uint256 shares);
    /// @notice Stablecoin `shares` would be paid at the latest NAV.
    function previewRedeem(uint256 shares) external view returns (uint256 stableAmount);

    /// @notice Escrows `shares` of the caller for redemption, claimable after settlementDelay.
    /// @dev Counts against the current gate window: total requested in a window is capped at
    ///      gateBps of totalSupply at the window's start (escrowed shares are still supply).
    function requestRedemption(uint256 shares) external returns (uint256 requestId);
    /// @notice Pays a claimable request to its holder at the NAV current now, burning its shares.
    /// @dev Anyone may call. Reverts with InsufficientCash when the reserve is short; the request
    ///      then stays Pending (nothing lost).
    function settleRedemption(uint256 requestId) external returns (uint256 paid);
    /// @notice The holder takes back the shares of a Pending request (allowed while frozen).
    /// @dev Cancelled within the gate window of the request, its shares are released from that
    ///      window's count (so request-and-cancel cannot exhaust the gate for others); cancelled
    ///      later, the window it counted against is over and nothing is released.
    function cancelRedemption(uint256 requestId) external;
    /// @notice Request `requestId`.
    function redemptionRequest(uint256 requestId) external view returns (RedemptionRequest memory);
    /// @notice Number of requests ever made; ids are 0 .. count - 1.
    function redemptionRequestCount() external view returns (uint256);
    /// @notice Shares in escrow = sum of the shares of Pending requests = the SPV's own share balance.
    function pendingRedemptionShares() external view returns (uint256);
    /// @notice The gate window at the current block: index, start, supply at start, cap, shares
    ///         requested so far and shares still requestable.
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
        );

    // ---------------------------------------------------------------- cash

    /// @notice Stablecoin (6 decimals) held by the SPV. Nothing in it is earmarked: pending
    ///         requests are paid from it at settlement time.
    function cashReserve() external view returns (uint256);
    /// @notice MANAGER_ROLE moves `amount` of cash to `to` (deployed into the off-chain asset).
    function withdrawCash(address to, uint256 amount) external;
    /// @notice Anyone adds `amount` of stablecoin to the cash reserve (sponsor, loan repayments, rent).
    function depositCash(uint256 amount) external;

    // ---------------------------------------------------------------- impairment and policy

    /// @notice Custodian or admin freezes / unfreezes subscriptions, requests and settlements.
    function freezeRedemptions(bool frozen) external;
    /// @notice Custodian or admin marks the SPV impaired (closes subscriptions) or clears it.
    function setImpaired(bool impaired, string calldata reason) external;
    /// @notice True while redemptions are frozen.
    function redemptionsFrozen() external view returns (bool);
    /// @notice True while the SPV is marked impaired.
    function impaired() external view returns (bool);
    /// @notice Reason given with the latest setImpaired call.
    function impairmentReason() external view returns (string memory);

    /// @notice Admin sets the transfer policy; address(0) means open transfers.
    function setTransferPolicy(address policy) external;
    /// @notice The transfer policy (address(0) = open transfers).
    function transferPolicy() external view returns (address);
}
