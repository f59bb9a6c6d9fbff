// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {TrancheMath} from "./TrancheMath.sol";
import {TrancheToken} from "./TrancheToken.sol";

/// @title TrancheVault
/// @notice Holds one underlying ERC-20 (an IndexToken or one SPV token, 18 decimals) priced by one
///         Chainlink-style USD feed (8 decimals), and splits its value into a senior and a junior
///         tranche, each an ERC-20 (`TrancheToken`, 18 decimals) this vault deploys.
/// @dev The waterfall (formulas in `TrancheMath`, its one home; USD8 = USD with 8 decimals):
///      - V = floor(underlying balance * price / 1e18): the vault's value at the feed's latest answer.
///      - The senior's claim C = P + floor(P * couponBps * t / (10_000 * 365 days)): simple interest
///        on the senior principal P (USD8, as of inception) since the vault's deployment `inceptionTime`.
///      - seniorValue = min(V, C): the senior never gets more than its claim;
///        juniorValue = V - seniorValue: losses hit the junior first, upside beyond C is the junior's.
///        seniorValue + juniorValue == V exactly.
///      Senior principal bookkeeping: P moves pro rata with the senior supply, so every senior token
///      carries the same claim whenever it was bought (claim per token = P / supply * growth):
///      - the first senior deposit (supply 0) of value d sets P = floor(d * 10_000 * YEAR /
///        (10_000 * YEAR + couponBps * t)), so that C == d (up to rounding down) at that moment;
///      - a later deposit minting m tokens onto supply s sets P += floor(P * m / s). While the senior
///        is covered (V >= C) the claim grows by the deposit's value (m is priced at C / s); while it
///        is impaired (V < C) the claim grows by m * C / s > d, so old and new tokens keep equal claims;
///      - a redemption burning b of s tokens sets P -= floor(P * b / s) (P = 0 when all leave).
///      Deposits mint at the tranche's current value per token (1 token per USD when its supply is 0)
///      and redemptions pay, in kind, the underlying worth the shares' value at the current price;
///      every amount rounds down (against the depositor or the redeemer). A redemption from a tranche
///      worth 0 burns the shares for nothing (allowed: the holder's choice).
///      The principal's floors move dust between the classes: a senior deposit of value d may raise
///      the claim by up to 1 + d / C USD8 units more than d (taken from the junior); a redemption
///      leaves the remaining seniors' principal at least pro rata.
///      A first senior deposit whose principal rounds to 0 (a value of a few USD8 units after
///      inception) reverts with DepositTooSmall: a senior supply with no principal would claim
///      nothing and block every later senior deposit.
///      Tranche tokens are 1e10 units per USD8 unit at the first deposit: a donation to the vault
///      (which inflates the junior's value per token) must be 1e10 times what it can take from the
///      next depositor's rounding down.
///      A tranche that has supply but no value cannot take deposits (`TrancheWipedOut`); nor can a
///      junior while the senior is impaired (V < C), even with no junior supply: its deposit would
///      only fill the senior's shortfall. A junior with no supply but value (dust left after all
///      juniors redeemed) goes to the next junior depositor, who mints 1:1.
///      The feed's answer is used as it is: no staleness check (consumers of `TrancheNavFeed` see the
///      underlying feed's `updatedAt`); an answer <= 0 reverts (`InvalidPrice`).
contract TrancheVault is ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice The two tranches. ABI: uint8 (0 = Senior, 1 = Junior).
    enum Tranche {
        Senior,
        Junior
    }

    /// @notice The decimals the price feed must have: USD with 8 decimals (USD8).
    uint8 public constant FEED_DECIMALS = 8;
    /// @notice The decimals the underlying must have: 18.
    uint8 public constant UNDERLYING_DECIMALS = 18;
    /// @notice The largest coupon accepted, bps per year (100 %).
    uint256 public constant MAX_COUPON_BPS = 10_000;

    /// @notice The underlying token (18 decimals).
    IERC20 public immutable underlying;
    /// @notice USD price of one whole underlying token (8 decimals).
    AggregatorV3Interface public immutable priceFeed;
    /// @notice The senior's coupon: simple interest, bps per 365-day year.
    uint256 public immutable couponBps;
    /// @notice Start of the senior's interest (unix seconds): the deployment block's time.
    uint256 public immutable inceptionTime;
    /// @notice The senior tranche token (18 decimals).
    TrancheToken public immutable seniorToken;
    /// @notice The junior tranche token (18 decimals).
    TrancheToken public immutable juniorToken;

    /// @notice Senior principal, USD8 as of inception (see the contract's notes for its bookkeeping).
    uint256 public seniorPrincipal;

    /// @notice A constructor address argument was zero.
    error ZeroAddress(string parameter);
    /// @notice The feed's decimals are not 8.
    error UnsupportedFeedDecimals(uint8 decimals);
    /// @notice The underlying's decimals are not 18.
    error UnsupportedUnderlyingDecimals(uint8 decimals);
    /// @notice The coupon exceeds MAX_COUPON_BPS.
    error CouponTooHigh(uint256 couponBps, uint256 maxCouponBps);
    /// @notice The feed's latest answer is not positive.
    error InvalidPrice(int256 answer);
    /// @notice An amount of 0 (assets or shares) was passed.
    error ZeroAmount();
    /// @notice `assets` (18 decimals) worth `value` (USD8) would mint no tranche token, or (the
    ///         first senior deposit) a senior principal of 0.
    error DepositTooSmall(Tranche tranche, uint256 assets, uint256 value);
    /// @notice `tranche` cannot price a deposit: it has `supply` tokens but no value, or (junior) the
    ///         vault's `totalValue` (USD8) is below the senior's `seniorClaim` (USD8).
    error TrancheWipedOut(Tranche tranche, uint256 supply, uint256 totalValue, uint256 seniorClaim);

    /// @notice `caller` paid `assets` (18 decimals) worth `value` (USD8) at `price` (USD8) into
    ///         `tranche`, minting `shares` (18 decimals) to `to`; `seniorPrincipal` (USD8) is the new one.
    event Deposited(
        Tranche indexed tranche,
        address indexed caller,
        address indexed to,
        uint256 assets,
        uint256 value,
        uint256 shares,
        uint256 price,
        uint256 seniorPrincipal
    );
    /// @notice `caller` burned `shares` (18 decimals) of `tranche` worth `value` (USD8) and `to` was
    ///         paid `assets` (18 decimals) at `price` (USD8); `seniorPrincipal` (USD8) is the new one.
    event Redeemed(
        Tranche indexed tranche,
        address indexed caller,
        address indexed to,
        uint256 shares,
        uint256 value,
        uint256 assets,
        uint256 price,
        uint256 seniorPrincipal
    );

    /// @param underlying_ The 18-decimal token held (an IndexToken or an SPV token).
    /// @param priceFeed_ USD price of one whole underlying token, 8 decimals.
    /// @param couponBps_ The senior's simple-interest coupon, bps per year (<= 10_000).
    constructor(
        IERC20 underlying_,
        AggregatorV3Interface priceFeed_,
        uint256 couponBps_,
        string memory seniorName,
        string memory seniorSymbol,
        string memory juniorName,
        string memory juniorSymbol
    ) {
        if (address(underlying_) == address(0)) revert ZeroAddress("underlying");
        if (address(priceFeed_) == address(0)) revert ZeroAddress("priceFeed");
        uint8 feedDecimals = priceFeed_.decimals();
        if (feedDecimals != FEED_DECIMALS) revert UnsupportedFeedDecimals(feedDecimals);
        uint8 underlyingDecimals = IERC20Metadata(address(underlying_)).decimals();
        if (underlyingDecimals != UNDERLYING_DECIMALS) revert UnsupportedUnderlyingDecimals(underlyingDecimals);
        if (couponBps_ > MAX_COUPON_BPS) revert CouponTooHigh(couponBps_, MAX_COUPON_BPS);

        underlying = underlying_;
        priceFeed = priceFeed_;
        couponBps = couponBps_;
        inceptionTime = block.timestamp;
        seniorToken = new TrancheToken(seniorName, seniorSymbol);
        juniorToken = new TrancheToken(juniorName, juniorSymbol);
    }

    // ---------------------------------------------------------------- views

    /// @notice The feed's latest answer (USD8 per whole underlying token); reverts if <= 0.
    function price() public view returns (uint256) {
        (, int256 answer,,,) = priceFeed.latestRoundData();
        if (answer <= 0) revert InvalidPrice(answer);
        return uint256(answer);
    }

    /// @notice The vault's value V (USD8): underlying balance * price / 1e18, rounded down.
    function totalValue() public view returns (uint256) {
        return TrancheMath.assetsValue(underlying.balanceOf(address(this)), price());
    }

    /// @notice The senior's claim C (USD8) now: principal plus simple interest since inception.
    function seniorClaim() public view returns (uint256) {
        return TrancheMath.seniorClaim(seniorPrincipal, couponBps, block.timestamp - inceptionTime);
    }

    /// @notice The waterfall now, USD8: (V, C, seniorValue, juniorValue).
    function values()
        public
        view
        returns (uint256 totalValue_, uint256 seniorClaim_, uint256 seniorValue_, uint256 juniorValue_)
    {
        totalValue_ = totalValue();
        seniorClaim_ = seniorClaim();
        (seniorValue_, juniorValue_) = TrancheMath.split(totalValue_, seniorClaim_);
    }

    /// @notice The senior tranche's value, min(V, C), USD8.
    function seniorValue() external view returns (uint256 value) {
        (,, value,) = values();
    }

    /// @notice The junior tranche's value, V - seniorValue, USD8.
    function juniorValue() external view returns (uint256 value) {
        (,,, value) = values();
    }

    /// @notice USD8 per whole senior token (1e18 units); 1e8 while the senior has no supply.
    function seniorNavPerToken() external view returns (uint256) {
        (,, uint256 senior,) = values();
        return TrancheMath.navPerToken(senior, seniorToken.totalSupply());
    }

    /// @notice USD8 per whole junior token (1e18 units); 1e8 while the junior has no supply.
    function juniorNavPerToken() external view returns (uint256) {
        (,,, uint256 junior) = values();
        return TrancheMath.navPerToken(junior, juniorToken.totalSupply());
    }

    /// @notice USD8 per whole token of `tranche` (the NAV `TrancheNavFeed` publishes).
    function navPerToken(Tranche tranche) external view returns (uint256) {
        (,, uint256 senior, uint256 junior) = values();
        return tranche == Tranche.Senior
            ? TrancheMath.navPerToken(senior, seniorToken.totalSupply())
            : TrancheMath.navPerToken(junior, juniorToken.totalSupply());
    }

    // ---------------------------------------------------------------- deposits

    /// @notice Pays `assets` (18 decimals, pulled from the caller) into the senior tranche and mints
    ///         senior tokens to `to` at the senior's current value per token, rounded down.
    /// @dev Reverts with TrancheWipedOut when the senior has supply but no value (V == 0).
    function depositSenior(uint256 assets, address to) external nonReentrant returns (uint256 shares) {
        return _deposit(Tranche.Senior, assets, to);
    }

    /// @notice Pays `assets` (18 decimals, pulled from the caller) into the junior tranche and mints
    ///         junior tokens to `to` at the junior's current value per token, rounded down.
    /// @dev Reverts with TrancheWipedOut when the junior has supply but no value, or the senior is
    ///      impaired (V < C).
    function depositJunior(uint256 assets, address to) external nonReentrant returns (uint256 shares) {
        return _deposit(Tranche.Junior, assets, to);
    }

    /// @notice Burns `shares` senior tokens of the caller and pays `to` the underlying worth their
    ///         value at the current price, rounded down.
    function redeemSenior(uint256 shares, address to) external nonReentrant returns (uint256 assets) {
        return _redeem(Tranche.Senior, shares, to);
    }

    /// @notice Burns `shares` junior tokens of the caller and pays `to` the underlying worth their
    ///         value at the current price, rounded down.
    function redeemJunior(uint256 shares, address to) external nonReentrant returns (uint256 assets) {
        return _redeem(Tranche.Junior, shares, to);
    }

    // ---------------------------------------------------------------- internals

    /// @dev The state a deposit or redemption of `tranche` is priced on: price, V and C (USD8),
    ///      the tranche's value (USD8) and supply (18 decimals).
    struct Quote {
        uint256 price;
        uint256 totalValue;
        uint256 seniorClaim;
        uint256 trancheValue;
        uint256 supply;
    }

    function _quote(Tranche tranche) private view returns (Quote memory q) {
        q.price = price();
        q.totalValue = TrancheMath.assetsValue(underlying.balanceOf(address(this)), q.price);
        q.seniorClaim = seniorClaim();
        (uint256 senior, uint256 junior) = TrancheMath.split(q.totalValue, q.seniorClaim);
        q.trancheValue = tranche == Tranche.Senior ? senior : junior;
        q.supply = _token(tranche).totalSupply();
    }

    function _deposit(Tranche tranche, uint256 assets, address to) private returns (uint256 shares) {
        if (assets == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress("to");
        Quote memory q = _quote(tranche);
        if ((q.supply != 0 && q.trancheValue == 0) || (tranche == Tranche.Junior && q.totalValue < q.seniorClaim)) {
            revert TrancheWipedOut(tranche, q.supply, q.totalValue, q.seniorClaim);
        }

        uint256 value = TrancheMath.assetsValue(assets, q.price);
        shares = TrancheMath.sharesForValue(value, q.trancheValue, q.supply);
        if (shares == 0) revert DepositTooSmall(tranche, assets, value);

        if (tranche == Tranche.Senior) {
            uint256 principal = q.supply == 0
                ? TrancheMath.principalForClaim(value, couponBps, block.timestamp - inceptionTime)
                : TrancheMath.principalAfterMint(seniorPrincipal, shares, q.supply);
            // a senior supply with no principal would claim nothing, and take no deposit, for good
            if (principal == 0) revert DepositTooSmall(tranche, assets, value);
            seniorPrincipal = principal;
        }
        underlying.safeTransferFrom(msg.sender, address(this), assets);
        _token(tranche).mint(to, shares);
        emit Deposited(tranche, msg.sender, to, assets, value, shares, q.price, seniorPrincipal);
    }

    function _redeem(Tranche tranche, uint256 shares, address to) private returns (uint256 assets) {
        if (shares == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress("to");
        Quote memory q = _quote(tranche);
        uint256 value = TrancheMath.valueForShares(shares, q.trancheValue, q.supply);
        assets = TrancheMath.assetsForValue(value, q.price);

        // burn first (our own token, no callback): reverts with ERC20InsufficientBalance if the
        // caller holds fewer than `shares`, so shares <= supply below
        _token(tranche).burn(msg.sender, shares);
        if (tranche == Tranche.Senior) {
            seniorPrincipal = TrancheMath.principalAfterBurn(seniorPrincipal, shares, q.supply);
        }
        underlying.safeTransfer(to, assets);
        emit Redeemed(tranche, msg.sender, to, shares, value, assets, q.price, seniorPrincipal);
    }

    function _token(Tranche tranche) private view returns (TrancheToken) {
        return tranche == Tranche.Senior ? seniorToken : juniorToken;
    }
}
