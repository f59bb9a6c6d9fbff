// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {ILendingPool} from "./interfaces/ILendingPool.sol";

/// @notice The pool's admin functions the executor calls (it must hold the pool's POOL_ADMIN_ROLE).
interface IReserveAdmin {
    function setReserveFrozen(address asset, bool frozen) external;
    function configureReserve(address asset, ILendingPool.ReserveParams calldata params) external;
    function getReserveData(address asset) external view returns (ILendingPool.ReserveData memory);
}

/// @title ProofOfReserveExecutor
/// @notice A proof-of-reserve circuit breaker for one collateral of the lending pool: when the
///         custodian's reserves, as an attestor's Chainlink-style feed reports them, fall below the
///         token's supply, anyone may call `executeEmergencyAction()`, which freezes the reserve (no
///         new supply or borrow) and sets its LTV to 0 (no borrowing power), keeping its liquidation
///         threshold and bonus, so existing positions are neither liquidated nor released by it.
///         The behaviour of Aave's proof-of-reserve executor for V3 (freeze, LTV 0) on one asset.
/// @dev Rules, with `reserves` the feed's latest answer and `supply = asset.totalSupply()`:
///      1. The feed reports reserves in the token's own units (its `decimals()` equal the token's;
///         checked at construction).
///      2. Backed while `reserves >= supply`. A feed that has never published (`updatedAt == 0`)
///         says nothing: backed. A published answer <= 0 counts as no reserves. The report's age is
///         not checked: a stale report keeps its verdict (the attestor's heartbeat is the feed's).
///      3. `executeEmergencyAction()` is permissionless and acts at most once: if not backed and not
///         yet executed, it freezes the reserve, sets its LTV to 0 (every other parameter as the pool
///         has it now), records `executed` and emits `EmergencyActionExecuted`; otherwise it changes
///         nothing and returns false. Lifting the freeze is governance's (the pool admin's) call.
contract ProofOfReserveExecutor {
    /// @notice The lending pool whose reserve the executor freezes.
    IReserveAdmin public immutable pool;
    /// @notice The collateral token (the SPV token) whose reserves are attested.
    IERC20Metadata public immutable asset;
    /// @notice The attestor's feed of the custodian's reserves, in the token's units.
    AggregatorV3Interface public immutable reservesFeed;

    /// @notice Whether the emergency action has run (it runs at most once).
    bool public executed;

    /// @notice The feed's decimals differ from the token's.
    error ReservesFeedDecimalsMismatch(uint8 feedDecimals, uint8 tokenDecimals);

    /// @notice The reserve was frozen and its LTV set to 0: `reserves` (feed answer, 0 if not
    ///         positive) fell below `supply` (token units).
    event EmergencyActionExecuted(address indexed asset, uint256 reserves, uint256 supply);

    /// @param pool_ The lending pool (this contract needs its POOL_ADMIN_ROLE to act).
    /// @param asset_ The collateral token.
    /// @param reservesFeed_ The proof-of-reserve feed, in `asset_`'s decimals.
    constructor(IReserveAdmin pool_, IERC20Metadata asset_, AggregatorV3Interface reservesFeed_) {
        uint8 feedDecimals = reservesFeed_.decimals();
        uint8 tokenDecimals = asset_.decimals();
        if (feedDecimals != tokenDecimals) revert ReservesFeedDecimalsMismatch(feedDecimals, tokenDecimals);
        pool = pool_;
        asset = asset_;
        reservesFeed = reservesFeed_;
    }

    /// @notice The attested reserves (0 when not positive) and the token's supply, token units, and
    ///         whether a report exists (rule 2).
    function reservesAndSupply() public view returns (uint256 reserves, uint256 supply, bool reported) {
        (, int256 answer,, uint256 updatedAt,) = reservesFeed.latestRoundData();
        reported = updatedAt != 0;
        reserves = answer > 0 ? uint256(answer) : 0;
        supply = asset.totalSupply();
    }

    /// @notice Whether the supply is backed by the attested reserves (rule 2).
    function isBacked() public view returns (bool) {
        (uint256 reserves, uint256 supply, bool reported) = reservesAndSupply();
        return !reported || reserves >= supply;
    }

    /// @notice Freezes the reserve and sets its LTV to 0 when the supply is not backed (rule 3).
    /// @return acted Whether the action ran in this call.
    function executeEmergencyAction() external returns (bool acted) {
        if (executed) return false;
        (uint256 reserves, uint256 supply, bool reported) = reservesAndSupply();
        if (!reported || reserves >= supply) return false;
        executed = true;
        address token = address(asset);
        ILendingPool.ReserveData memory data = pool.getReserveData(token);
        ILendingPool.ReserveConfig memory config = data.config;
        pool.setReserveFrozen(token, true);
        pool.configureReserve(
            token,
            ILendingPool.ReserveParams({
                ltvBps: 0,
                liquidationThresholdBps: config.liquidationThresholdBps,
                liquidationBonusBps: config.liquidationBonusBps,
                liquidationProtocolFeeBps: config.liquidationProtocolFeeBps,
                reserveFactorBps: config.reserveFactorBps,
                supplyCap: config.supplyCap,
                borrowCap: config.borrowCap,
                borrowingEnabled: config.borrowingEnabled,
                optimalUsageRay: data.optimalUsageRay,
                baseRateRay: data.baseRateRay,
                slope1Ray: data.slope1Ray,
                slope2Ray: data.slope2Ray
            })
        );
        emit EmergencyActionExecuted(token, reserves, supply);
        return true;
    }
}
