// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {ISPVToken} from "../rwa/ISPVToken.sol";

/// @title IndexToken
/// @notice ERC-20 (18 decimals) of a fixed basket of component tokens (SPV tokens, 18 decimals
///         each), minted and redeemed in kind. One index token stands for
///         `unitsPerShare[i] / 1e18` of each component i; each component has a Chainlink-style USD
///         feed (8 decimals) for the basket's NAV.
/// @dev Units: shares and component amounts have 18 decimals; `unitsPerShare[i]` is component
///      units per 1e18 shares (one whole index token); prices and NAVs are USD with 8 decimals
///      (USD8) per whole token; weights are bps.
///      Rounding is always in the basket's favour: `mint` pulls ceil(units * shares / 1e18) of each
///      component, `redeem` pays floor(units * shares / 1e18), so a mint then a redeem of the same
///      shares never returns more than was put in, and the basket always holds at least
///      ceil(units * totalSupply / 1e18) of each component.
///      Cash-out: `redeem` pays SPV tokens, not cash. Turning them into stablecoin goes through
///      each SPV's own redemption queue (its settlement delay, gate and freeze), so cash leaves the
///      index no faster than its slowest component allows: `settlementDelaySeconds()`. The gates
///      and freezes of every component apply as well.
///      The feeds' answers are used as they are (no staleness check here): `IndexNavFeed` reports
///      the oldest component's `updatedAt` so consumers can check the age.
contract IndexToken is ERC20, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice The decimals every component feed must have (USD8).
    uint8 public constant FEED_DECIMALS = 8;
    /// @notice One whole index token: 1e18 share units.
    uint256 public constant SHARE_UNIT = 1e18;
    /// @notice 100 % in basis points.
    uint256 public constant BPS = 10_000;

    /// @dev Component tokens, their units (component units per 1e18 shares) and USD8 feeds, by index.
    IERC20[] private _tokens;
    uint256[] private _unitsPerShare;
    AggregatorV3Interface[] private _feeds;

    /// @notice The constructor's arrays differ in length.
    error LengthMismatch(uint256 components, uint256 unitsPerShare, uint256 feeds);
    /// @notice The basket has no component.
    error NoComponents();
    /// @notice Component `index`'s token is the zero address.
    error ZeroComponent(uint256 index);
    /// @notice Component `index`'s feed is the zero address.
    error ZeroFeed(uint256 index);
    /// @notice Component `index` has 0 units per share.
    error ZeroUnits(uint256 index);
    /// @notice Component `index` is the same token as component `firstIndex`.
    error DuplicateComponent(uint256 index, uint256 firstIndex);
    /// @notice Component `index`'s feed has `decimals` decimals, not 8.
    error UnsupportedFeedDecimals(uint256 index, uint8 decimals);
    /// @notice Component `index`'s feed answered `answer` <= 0.
    error InvalidPrice(uint256 index, int256 answer);
    /// @notice 0 shares were passed.
    error ZeroShares();
    /// @notice `to` is the zero address.
    error ZeroRecipient();

    /// @notice `caller` paid `amountsIn` (component units, in component order) for `shares` (18
    ///         decimals) minted to `to`.
    event Minted(address indexed caller, address indexed to, uint256 shares, uint256[] amountsIn);
    /// @notice `caller` burned `shares` (18 decimals) and `to` was paid `amountsOut` (component
    ///         units, in component order).
    event Redeemed(address indexed caller, address indexed to, uint256 shares, uint256[] amountsOut);

    /// @param components_ The component tokens (18 decimals each), distinct and non-zero.
    /// @param unitsPerShare_ Component units per 1e18 index shares, each > 0.
    /// @param feeds_ One USD feed per component, 8 decimals (USD8 per whole component token).
    constructor(
        string memory name_,
        string memory symbol_,
        IERC20[] memory components_,
        uint256[] memory unitsPerShare_,
        AggregatorV3Interface[] memory feeds_
    ) ERC20(name_, symbol_) {
        uint256 count = components_.length;
        if (unitsPerShare_.length != count || feeds_.length != count) {
            revert LengthMismatch(count, unitsPerShare_.length, feeds_.length);
        }
        if (count == 0) revert NoComponents();
        for (uint256 i; i < count; ++i) {
            if (address(components_[i]) == address(0)) revert ZeroComponent(i);
            if (address(feeds_[i]) == address(0)) revert ZeroFeed(i);
            if (unitsPerShare_[i] == 0) revert ZeroUnits(i);
            for (uint256 j; j < i; ++j) {
                if (components_[j] == components_[i]) revert DuplicateComponent(i, j);
            }
            uint8 feedDecimals = feeds_[i].decimals();
            if (feedDecimals != FEED_DECIMALS) revert UnsupportedFeedDecimals(i, feedDecimals);
        }
        _tokens = components_;
        _unitsPerShare = unitsPerShare_;
        _feeds = feeds_;
    }

    // ---------------------------------------------------------------- mint and redeem

    /// @notice Pulls ceil(unitsPerShare[i] * shares / 1e18) of every component i from the caller
    ///         (approvals needed) and mints `shares` (18 decimals) to `to`.
    function mint(uint256 shares, address to) external nonReentrant returns (uint256[] memory amountsIn) {
        if (shares == 0) revert ZeroShares();
        if (to == address(0)) revert ZeroRecipient();
        amountsIn = previewMint(shares);
        for (uint256 i; i < amountsIn.length; ++i) {
            _tokens[i].safeTransferFrom(msg.sender, address(this), amountsIn[i]);
        }
        _mint(to, shares);
        emit Minted(msg.sender, to, shares, amountsIn);
    }

    /// @notice Burns `shares` (18 decimals) of the caller and pays `to`
    ///         floor(unitsPerShare[i] * shares / 1e18) of every component i.
    /// @dev Pays SPV tokens: cash comes later, through each component's own redemption queue
    ///      (see `settlementDelaySeconds`).
    function redeem(uint256 shares, address to) external nonReentrant returns (uint256[] memory amountsOut) {
        if (shares == 0) revert ZeroShares();
        if (to == address(0)) revert ZeroRecipient();
        amountsOut = previewRedeem(shares);
        _burn(msg.sender, shares);
        for (uint256 i; i < amountsOut.length; ++i) {
            _tokens[i].safeTransfer(to, amountsOut[i]);
        }
        emit Redeemed(msg.sender, to, shares, amountsOut);
    }

    /// @notice Component amounts `mint(shares)` pulls: ceil(unitsPerShare[i] * shares / 1e18).
    function previewMint(uint256 shares) public view returns (uint256[] memory amounts) {
        amounts = new uint256[](_tokens.length);
        for (uint256 i; i < amounts.length; ++i) {
            amounts[i] = Math.mulDiv(_unitsPerShare[i], shares, SHARE_UNIT, Math.Rounding.Ceil);
        }
    }

    /// @notice Component amounts `redeem(shares)` pays: floor(unitsPerShare[i] * shares / 1e18).
    function previewRedeem(uint256 shares) public view returns (uint256[] memory amounts) {
        amounts = new uint256[](_tokens.length);
        for (uint256 i; i < amounts.length; ++i) {
            amounts[i] = Math.mulDiv(_unitsPerShare[i], shares, SHARE_UNIT);
        }
    }

    // ---------------------------------------------------------------- views

    /// @notice The basket: component tokens, their units per 1e18 shares and their USD8 feeds.
    function components()
        external
        view
        returns (IERC20[] memory tokens, uint256[] memory unitsPerShare, AggregatorV3Interface[] memory feeds)
    {
        return (_tokens, _unitsPerShare, _feeds);
    }

    /// @notice Number of components.
    function componentCount() external view returns (uint256) {
        return _tokens.length;
    }

    /// @notice Component `index`'s latest price, USD8 per whole token; reverts with InvalidPrice if <= 0.
    function componentPrice(uint256 index) public view returns (uint256) {
        (, int256 answer,,,) = _feeds[index].latestRoundData();
        if (answer <= 0) revert InvalidPrice(index, answer);
        return uint256(answer);
    }

    /// @notice USD8 value of 1e18 shares: sum over i of floor(unitsPerShare[i] * price_i / 1e18).
    /// @dev Each component's term is rounded down on its own. Reverts with InvalidPrice when a
    ///      component's answer is <= 0.
    function navPerShare() public view returns (uint256 nav) {
        for (uint256 i; i < _tokens.length; ++i) {
            nav += Math.mulDiv(_unitsPerShare[i], componentPrice(i), SHARE_UNIT);
        }
    }

    /// @notice Each component's share of the basket's value at current prices, bps, rounded down:
    ///         floor(10_000 * u_i * p_i / sum_j(u_j * p_j)); they sum to at most 10_000.
    /// @dev Computed from the unrounded products u_i * p_i (component units x USD8), not from
    ///      navPerShare's rounded terms. Reverts with InvalidPrice like navPerShare.
    function weightsBps() external view returns (uint256[] memory weights) {
        uint256 count = _tokens.length;
        uint256[] memory values_ = new uint256[](count);
        uint256 total;
        for (uint256 i; i < count; ++i) {
            values_[i] = _unitsPerShare[i] * componentPrice(i);
            total += values_[i];
        }
        weights = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            weights[i] = Math.mulDiv(values_[i], BPS, total);
        }
    }

    /// @notice Seconds from an in-kind redemption to cash: the longest SPV settlement delay among
    ///         the components (a component without `settlementDelay()` counts as 0).
    /// @dev `redeem` pays component SPV tokens, and each pays cash only through its own queue, so
    ///      cash out of the index inherits the slowest component's delay, and every component's
    ///      gate and freeze as well (not counted here). Read through ISPVToken.settlementDelay;
    ///      a component whose call reverts (a plain ERC-20) counts as 0.
    function settlementDelaySeconds() external view returns (uint256 delay) {
        for (uint256 i; i < _tokens.length; ++i) {
            try ISPVToken(address(_tokens[i])).settlementDelay() returns (uint64 componentDelay) {
                if (componentDelay > delay) delay = componentDelay;
            } catch {}
        }
    }
}
