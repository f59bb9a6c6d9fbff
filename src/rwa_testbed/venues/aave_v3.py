"""Deploy the real Aave V3.0 market on the connected chain, from `@aave/core-v3`'s compiled artifacts.

The artifacts (`node_modules/@aave/core-v3/artifacts`, hardhat format, solc 0.8.10) are a runtime
dependency only: nothing of Aave's source is in this repository. `deploy_aave_v3` takes an ape
account and works from ape tests, scripts and the engine alike:

    market = deploy_aave_v3(admin, [ReserveSpec(...), ...], treasury)
    market.pool.supply(asset, amount, user, 0, sender=user)
    market.user_debt(asset, user)

Deployment order (as Aave's own deploy scripts): addresses provider, ACL admin then ACL manager and
roles, logic libraries then the Pool implementation (the provider creates the proxy and initializes
it), configurator, oracle, data provider, token implementations, one interest-rate strategy per
reserve, `initReserves`, then each reserve's risk parameters.

v3.0 behaviours worth knowing (they differ from later 3.x releases):
- AaveOracle reads the legacy `latestAnswer()` of each source, not `latestRoundData()`.
- Close factor 50 % while health factor > 0.95, 100 % at or below; no minimum-leftover rule.
- Debt in base currency is rounded down in `getUserAccountData` (3.1+ rounds up).
- When a liquidation exhausts the collateral, the remaining debt stays on the borrower (no
  deficit accounting; that arrived in 3.3).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ape.api import AccountAPI
from ape.contracts import ContractContainer, ContractInstance
from eth_utils import to_checksum_address
from ethpm_types import ContractType

from rwa_testbed.venues.spec import ReserveSpec

ARTIFACTS_ENV = "AAVE_V3_ARTIFACTS"
"""Environment variable that overrides where the `@aave/core-v3` artifacts are read from."""
PACKAGE_ARTIFACTS = Path("node_modules") / "@aave" / "core-v3" / "artifacts"
BASE_CURRENCY_UNIT = 10**8
"""Aave's base currency: USD with 8 decimals, as the Chainlink USD feeds."""
INTEREST_RATE_MODE_VARIABLE = 2
"""`interestRateMode` argument of borrow/repay for variable-rate debt."""

POOL_LOGIC_LIBRARIES = (
    "SupplyLogic",
    "BorrowLogic",
    "LiquidationLogic",
    "EModeLogic",
    "BridgeLogic",
    "PoolLogic",
)
"""Libraries the Pool implementation links by address (plus FlashLoanLogic, linked to BorrowLogic)."""


# --- artifacts and linking ------------------------------------------------------------------


def artifacts_dir() -> Path:
    """Directory of the `@aave/core-v3` hardhat artifacts.

    `$AAVE_V3_ARTIFACTS` if set, else `node_modules/@aave/core-v3/artifacts` in this repository
    (found from this file, then from ape's current project).
    """
    if env := os.environ.get(ARTIFACTS_ENV):
        return Path(env)
    candidates = [Path(__file__).resolve().parents[3] / PACKAGE_ARTIFACTS]
    try:
        from ape import project

        candidates.append(Path(project.path) / PACKAGE_ARTIFACTS)
    except Exception:  # noqa: BLE001 - no ape project loaded: the first candidate is all we have
        pass
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"@aave/core-v3 artifacts not found in {[str(c) for c in candidates]}; run `make setup` "
        f"or set ${ARTIFACTS_ENV}"
    )


@lru_cache(maxsize=None)
def _artifact_paths(root: Path) -> dict[str, Path]:
    """Contract name -> artifact file, for every contract under `root/contracts`."""
    index: dict[str, Path] = {}
    for path in (root / "contracts").rglob("*.json"):
        if path.name.endswith(".dbg.json"):
            continue
        name = path.stem
        if name in index:
            raise ValueError(f"two Aave artifacts named {name}: {index[name]} and {path}")
        index[name] = path
    return index


def load_artifact(name: str, root: Path | None = None) -> dict[str, Any]:
    """The hardhat artifact (abi, bytecode, linkReferences, ...) of Aave contract `name`."""
    paths = _artifact_paths(root or artifacts_dir())
    if name not in paths:
        raise KeyError(f"no Aave artifact named {name}")
    return json.loads(paths[name].read_text())


LinkReferences = dict[str, dict[str, list[dict[str, int]]]]


def link_bytecode(bytecode: str, link_references: LinkReferences, libraries: dict[str, str]) -> str:
    """`bytecode` (0x-hex) with each library placeholder replaced by the library's address.

    `link_references` is hardhat's `{"file": {"LibName": [{"start": byte offset, "length": 20}]}}`,
    offsets counted in bytes of the code without its `0x` prefix. Every referenced library must be
    in `libraries` (name -> address).
    """
    code = bytecode[2:] if bytecode.startswith("0x") else bytecode
    for file_references in link_references.values():
        for library, spots in file_references.items():
            if library not in libraries:
                raise KeyError(f"bytecode needs library {library}; given {sorted(libraries)}")
            address_hex = to_checksum_address(libraries[library])[2:].lower()
            for spot in spots:
                if spot["length"] != 20:
                    raise ValueError(f"link reference of {spot['length']} bytes for {library}")
                start = 2 * spot["start"]
                code = code[:start] + address_hex + code[start + 40 :]
    if "__" in code:
        raise ValueError("bytecode still holds an unlinked library placeholder")
    return "0x" + code


def contract_type(
    name: str, libraries: dict[str, str] | None = None, root: Path | None = None
) -> ContractType:
    """ape `ContractType` of Aave contract `name`, creation and runtime code linked to `libraries`."""
    artifact = load_artifact(name, root)
    libraries = libraries or {}
    return ContractType.model_validate(
        {
            "contractName": name,
            "sourceId": artifact["sourceName"],
            "abi": artifact["abi"],
            "deploymentBytecode": {
                "bytecode": link_bytecode(artifact["bytecode"], artifact["linkReferences"], libraries)
            },
            "runtimeBytecode": {
                "bytecode": link_bytecode(
                    artifact["deployedBytecode"], artifact["deployedLinkReferences"], libraries
                )
            },
        }
    )


@lru_cache(maxsize=None)
def _container(name: str, libraries: tuple[tuple[str, str], ...], root: Path) -> ContractContainer:
    return ContractContainer(contract_type(name, dict(libraries), root))


def container(name: str, libraries: dict[str, str] | None = None) -> ContractContainer:
    """ape `ContractContainer` of Aave contract `name` (cached), for `deploy` or `.at(address)`."""
    return _container(name, tuple(sorted((libraries or {}).items())), artifacts_dir())


def _address(value: Any) -> str:
    return to_checksum_address(getattr(value, "address", value))


# --- the market ------------------------------------------------------------------------------


@dataclass
class AaveReserve:
    """One listed asset of the market: its tokens, rate strategy and the spec it was listed with."""

    asset: str
    a_token: ContractInstance
    variable_debt_token: ContractInstance
    stable_debt_token: ContractInstance
    interest_rate_strategy: ContractInstance
    spec: ReserveSpec


@dataclass
class AaveV3Market:
    """A deployed Aave V3.0 market; `pool` is the proxy users call."""

    addresses_provider: ContractInstance
    acl_manager: ContractInstance
    pool: ContractInstance
    configurator: ContractInstance
    oracle: ContractInstance
    data_provider: ContractInstance
    treasury: str
    reserves: dict[str, AaveReserve] = field(default_factory=dict)
    deploy_seconds: float = 0.0
    """Wall time `deploy_aave_v3` took (for the README's and benchmarks' numbers)."""

    def reserve(self, asset: Any) -> AaveReserve:
        """The reserve of `asset` (address, contract or account-like)."""
        return self.reserves[_address(asset)]

    def a_token(self, asset: Any) -> ContractInstance:
        return self.reserve(asset).a_token

    def variable_debt_token(self, asset: Any) -> ContractInstance:
        return self.reserve(asset).variable_debt_token

    def user_supply(self, asset: Any, user: Any) -> int:
        """`user`'s supplied `asset` with accrued interest (token decimals): its aToken balance."""
        return self.reserve(asset).a_token.balanceOf(_address(user))

    def user_debt(self, asset: Any, user: Any) -> int:
        """`user`'s debt in `asset` with accrued interest (token decimals): variable + stable."""
        reserve = self.reserve(asset)
        user = _address(user)
        return reserve.variable_debt_token.balanceOf(user) + reserve.stable_debt_token.balanceOf(user)


def deploy_aave_v3(
    deployer: AccountAPI,
    reserves: list[ReserveSpec],
    treasury: Any,
    market_id: str = "RWA testbed",
) -> AaveV3Market:
    """Deploy a complete Aave V3.0 market listing `reserves`, administered by `deployer`.

    `deployer` owns the addresses provider and holds the ACL admin, pool admin, risk admin and
    emergency admin roles. Liquidation protocol fees go to `treasury` (as aTokens), and so does the
    reserve factor's share of interest (when `pool.mintToTreasury` is called). No incentives
    controller, no e-mode, no isolation mode, no stable-rate borrowing.
    """
    started = time.perf_counter()
    treasury = _address(treasury)

    def deploy(name: str, *args: Any, libraries: dict[str, str] | None = None) -> ContractInstance:
        return deployer.deploy(container(name, libraries), *args)

    provider = deploy("PoolAddressesProvider", market_id, deployer)
    # ACLManager's constructor reads the ACL admin from the provider: set it first.
    provider.setACLAdmin(deployer, sender=deployer)
    acl = deploy("ACLManager", provider)
    provider.setACLManager(acl, sender=deployer)
    acl.addPoolAdmin(deployer, sender=deployer)
    acl.addRiskAdmin(deployer, sender=deployer)
    acl.addEmergencyAdmin(deployer, sender=deployer)

    libraries = {name: deploy(name).address for name in POOL_LOGIC_LIBRARIES}
    libraries["FlashLoanLogic"] = deploy(
        "FlashLoanLogic", libraries={"BorrowLogic": libraries["BorrowLogic"]}
    ).address
    pool_impl = deploy("Pool", provider, libraries=libraries)
    # Lock the implementation, as Aave's scripts do; the provider initializes the proxy.
    pool_impl.initialize(provider, sender=deployer)
    provider.setPoolImpl(pool_impl, sender=deployer)
    pool = container("Pool", libraries).at(provider.getPool())

    configurator_libraries = {"ConfiguratorLogic": deploy("ConfiguratorLogic").address}
    configurator_impl = deploy("PoolConfigurator", libraries=configurator_libraries)
    configurator_impl.initialize(provider, sender=deployer)
    provider.setPoolConfiguratorImpl(configurator_impl, sender=deployer)
    configurator = container("PoolConfigurator", configurator_libraries).at(
        provider.getPoolConfigurator()
    )

    assets = [_address(spec.asset) for spec in reserves]
    oracle = deploy(
        "AaveOracle",
        provider,
        assets,
        [_address(spec.price_feed) for spec in reserves],
        "0x0000000000000000000000000000000000000000",  # no fallback oracle
        "0x0000000000000000000000000000000000000000",  # base currency: USD
        BASE_CURRENCY_UNIT,
    )
    provider.setPriceOracle(oracle, sender=deployer)
    data_provider = deploy("AaveProtocolDataProvider", provider)
    provider.setPoolDataProvider(data_provider, sender=deployer)

    a_token_impl = deploy("AToken", pool)
    variable_debt_impl = deploy("VariableDebtToken", pool)
    # initReserves requires a stable-debt implementation even with stable borrowing disabled.
    stable_debt_impl = deploy("StableDebtToken", pool)

    erc20 = container("IERC20Detailed")
    strategies = []
    init_inputs = []
    for spec, asset in zip(reserves, assets, strict=True):
        strategy = deploy(
            "DefaultReserveInterestRateStrategy",
            provider,
            spec.optimal_usage_ray,
            spec.base_rate_ray,
            spec.slope1_ray,
            spec.slope2_ray,
            0,  # stableRateSlope1
            0,  # stableRateSlope2
            0,  # baseStableRateOffset
            0,  # stableRateExcessOffset
            0,  # optimalStableToTotalDebtRatio
        )
        strategies.append(strategy)
        token = erc20.at(asset)
        symbol = token.symbol()
        init_inputs.append(
            (
                a_token_impl.address,
                stable_debt_impl.address,
                variable_debt_impl.address,
                token.decimals(),
                strategy.address,
                asset,
                treasury,
                "0x0000000000000000000000000000000000000000",  # no incentives controller
                f"Aave {symbol}",
                f"a{symbol}",
                f"Aave Variable Debt {symbol}",
                f"variableDebt{symbol}",
                f"Aave Stable Debt {symbol}",
                f"stableDebt{symbol}",
                b"",
            )
        )
    configurator.initReserves(init_inputs, sender=deployer)

    for spec, asset in zip(reserves, assets, strict=True):
        if spec.usable_as_collateral:
            configurator.configureReserveAsCollateral(
                asset,
                spec.ltv_bps,
                spec.liquidation_threshold_bps,
                spec.liquidation_bonus_bps,
                sender=deployer,
            )
        if spec.borrowing_enabled:
            configurator.setReserveBorrowing(asset, True, sender=deployer)
        if spec.reserve_factor_bps:
            configurator.setReserveFactor(asset, spec.reserve_factor_bps, sender=deployer)
        if spec.supply_cap_tokens:
            configurator.setSupplyCap(asset, spec.supply_cap_tokens, sender=deployer)
        if spec.borrow_cap_tokens:
            configurator.setBorrowCap(asset, spec.borrow_cap_tokens, sender=deployer)
        if spec.liquidation_protocol_fee_bps:
            configurator.setLiquidationProtocolFee(
                asset, spec.liquidation_protocol_fee_bps, sender=deployer
            )

    a_token, stable_debt, variable_debt = (
        container("AToken"),
        container("StableDebtToken"),
        container("VariableDebtToken"),
    )
    market = AaveV3Market(
        addresses_provider=provider,
        acl_manager=acl,
        pool=pool,
        configurator=configurator,
        oracle=oracle,
        data_provider=data_provider,
        treasury=treasury,
    )
    for spec, asset, strategy in zip(reserves, assets, strategies, strict=True):
        a_address, stable_address, variable_address = data_provider.getReserveTokensAddresses(asset)
        market.reserves[asset] = AaveReserve(
            asset=asset,
            a_token=a_token.at(a_address),
            variable_debt_token=variable_debt.at(variable_address),
            stable_debt_token=stable_debt.at(stable_address),
            interest_rate_strategy=strategy,
            spec=spec,
        )
    market.deploy_seconds = time.perf_counter() - started
    return market
