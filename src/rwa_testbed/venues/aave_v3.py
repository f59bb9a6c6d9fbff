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
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from ape.api import AccountAPI
from ape.contracts import ContractContainer, ContractInstance
from eth_utils import to_checksum_address
from ethpm_types import ContractType

from ..models.reserve import ReserveSpec

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


# --- the deployment plan ----------------------------------------------------------------------


ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
DEPLOY_GAS = 12_000_000
"""Gas limit of each creation and of the provider's proxy-creating calls (engine path)."""
CALL_GAS = 2_000_000
INIT_RESERVE_GAS = 6_000_000
"""`initReserves` gas per reserve: three token proxies created and initialized."""


@dataclass(frozen=True)
class Ref:
    """An address known only while a plan runs: a contract an earlier `Deploy` created (its key) or
    one the executor binds (`ADMIN`, `TREASURY`, and the market's `pool`, `provider`,
    `configurator`, `oracle` for the listing plan)."""

    key: str


ADMIN, TREASURY = Ref("admin"), Ref("treasury")
POOL, PROVIDER, CONFIGURATOR, ORACLE = Ref("pool"), Ref("provider"), Ref("configurator"), Ref("oracle")


@dataclass(frozen=True)
class Deploy:
    """Create Aave contract `name` with constructor `args`, `libraries` linked (name -> Ref); its
    address is `Ref(key)` for later steps."""

    key: str
    name: str
    args: tuple = ()
    libraries: tuple[tuple[str, Ref], ...] = ()


@dataclass(frozen=True)
class Call:
    """The admin calls `fn(*args)` on `target`; `gas` is the engine's limit."""

    target: Ref
    fn: str
    args: tuple = ()
    gas: int = CALL_GAS


Step = Deploy | Call


@dataclass(frozen=True)
class Listing:
    """One reserve to list: its spec, and the token's symbol (names the aToken and debt tokens) and decimals."""

    spec: ReserveSpec
    symbol: str
    decimals: int


def resolve(value: Any, env: dict[str, Any]) -> Any:
    """`value` with every `Ref` replaced by the bound contract's (or account's) address."""
    if isinstance(value, Ref):
        bound = env[value.key]
        return getattr(bound, "address", bound)
    if isinstance(value, (list, tuple)):
        return type(value)(resolve(v, env) for v in value)
    return value


def core_plan(market_id: str, assets: list[str], feeds: list[str]) -> list[Step]:
    """The core market, in Aave's own deploy scripts' order: addresses provider, ACL admin then ACL
    manager and roles, logic libraries then the Pool implementation (locked; the provider creates
    and initializes the proxy), configurator likewise, oracle (over `assets`' `feeds`), data provider."""
    provider = Ref("provider")
    steps: list[Step] = [
        Deploy("provider", "PoolAddressesProvider", (market_id, ADMIN)),
        # ACLManager's constructor reads the ACL admin from the provider: set it first.
        Call(provider, "setACLAdmin", (ADMIN,)),
        Deploy("acl", "ACLManager", (provider,)),
        Call(provider, "setACLManager", (Ref("acl"),)),
        *(Call(Ref("acl"), role, (ADMIN,)) for role in ("addPoolAdmin", "addRiskAdmin", "addEmergencyAdmin")),
        *(Deploy(name, name) for name in POOL_LOGIC_LIBRARIES),
        Deploy("FlashLoanLogic", "FlashLoanLogic", libraries=(("BorrowLogic", Ref("BorrowLogic")),)),
        Deploy("pool_impl", "Pool", (provider,),
               libraries=tuple((name, Ref(name)) for name in (*POOL_LOGIC_LIBRARIES, "FlashLoanLogic"))),
        Call(Ref("pool_impl"), "initialize", (provider,)),
        Call(provider, "setPoolImpl", (Ref("pool_impl"),), gas=DEPLOY_GAS),
        Deploy("ConfiguratorLogic", "ConfiguratorLogic"),
        Deploy("configurator_impl", "PoolConfigurator", libraries=(("ConfiguratorLogic", Ref("ConfiguratorLogic")),)),
        Call(Ref("configurator_impl"), "initialize", (provider,)),
        Call(provider, "setPoolConfiguratorImpl", (Ref("configurator_impl"),), gas=DEPLOY_GAS),
        # no fallback oracle; base currency USD (address 0) in BASE_CURRENCY_UNIT
        Deploy("oracle", "AaveOracle", (provider, list(assets), list(feeds), ZERO_ADDRESS, ZERO_ADDRESS,
                                        BASE_CURRENCY_UNIT)),
        Call(provider, "setPriceOracle", (Ref("oracle"),)),
        Deploy("data_provider", "AaveProtocolDataProvider", (provider,)),
        Call(provider, "setPoolDataProvider", (Ref("data_provider"),)),
    ]
    return steps


def strategy_key(asset: str) -> str:
    return f"strategy {asset.lower()}"


def listing_plan(reserves: list[Listing], set_sources: bool = False) -> list[Step]:
    """Lists `reserves` on a market (bound as `POOL`, `PROVIDER`, `CONFIGURATOR`, `ORACLE`): token
    implementations, one rate strategy per reserve, `initReserves`, then each reserve's risk
    parameters. `set_sources`: first point the oracle at their feeds (a market found on a fork)."""
    steps: list[Step] = []
    if set_sources:
        steps.append(Call(ORACLE, "setAssetSources", ([r.spec.asset for r in reserves],
                                                      [r.spec.price_feed for r in reserves])))
    if not reserves:
        return steps
    steps += [
        Deploy("a_token_impl", "AToken", (POOL,)),
        # initReserves requires a stable-debt implementation even with stable borrowing disabled.
        Deploy("stable_debt_impl", "StableDebtToken", (POOL,)),
        Deploy("variable_debt_impl", "VariableDebtToken", (POOL,)),
    ]
    inputs = []
    for r in reserves:
        spec = r.spec
        # no stable rate: stableRateSlope1/2, baseStableRateOffset, stableRateExcessOffset, optimalStableToTotalDebtRatio
        steps.append(Deploy(strategy_key(spec.asset), "DefaultReserveInterestRateStrategy",
                            (PROVIDER, spec.optimal_usage_ray, spec.base_rate_ray, spec.slope1_ray,
                             spec.slope2_ray, 0, 0, 0, 0, 0)))
        inputs.append((Ref("a_token_impl"), Ref("stable_debt_impl"), Ref("variable_debt_impl"), r.decimals,
                       Ref(strategy_key(spec.asset)), spec.asset, TREASURY, ZERO_ADDRESS,  # no incentives
                       f"Aave {r.symbol}", f"a{r.symbol}", f"Aave Variable Debt {r.symbol}",
                       f"variableDebt{r.symbol}", f"Aave Stable Debt {r.symbol}", f"stableDebt{r.symbol}", b""))
    steps.append(Call(CONFIGURATOR, "initReserves", (inputs,), gas=INIT_RESERVE_GAS * len(reserves)))
    for r in reserves:
        spec, asset = r.spec, r.spec.asset
        if spec.usable_as_collateral:
            steps.append(Call(CONFIGURATOR, "configureReserveAsCollateral",
                              (asset, spec.ltv_bps, spec.liquidation_threshold_bps, spec.liquidation_bonus_bps)))
        if spec.borrowing_enabled:
            steps.append(Call(CONFIGURATOR, "setReserveBorrowing", (asset, True)))
        if spec.reserve_factor_bps:
            steps.append(Call(CONFIGURATOR, "setReserveFactor", (asset, spec.reserve_factor_bps)))
        if spec.supply_cap_tokens:
            steps.append(Call(CONFIGURATOR, "setSupplyCap", (asset, spec.supply_cap_tokens)))
        if spec.borrow_cap_tokens:
            steps.append(Call(CONFIGURATOR, "setBorrowCap", (asset, spec.borrow_cap_tokens)))
        if spec.liquidation_protocol_fee_bps:
            steps.append(Call(CONFIGURATOR, "setLiquidationProtocolFee", (asset, spec.liquidation_protocol_fee_bps)))
    return steps


def libraries_of(step: Deploy, env: dict[str, Any]) -> dict[str, str]:
    return {name: resolve(ref, env) for name, ref in step.libraries}


def find_deploy(plan: list[Step], key: str) -> Deploy:
    return next(s for s in plan if isinstance(s, Deploy) and s.key == key)


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
    assets = [_address(spec.asset) for spec in reserves]
    env: dict[str, Any] = {"admin": deployer.address, "treasury": treasury}

    def run(plan: list[Step]) -> None:
        for step in plan:
            if isinstance(step, Deploy):
                libraries = libraries_of(step, env)
                env[step.key] = deployer.deploy(container(step.name, libraries), *resolve(step.args, env))
            else:
                getattr(env[step.target.key], step.fn)(*resolve(step.args, env), sender=deployer)

    core = core_plan(market_id, assets, [_address(spec.price_feed) for spec in reserves])
    run(core)
    provider = env["provider"]
    pool = container("Pool", libraries_of(find_deploy(core, "pool_impl"), env)).at(provider.getPool())
    configurator = container("PoolConfigurator", libraries_of(find_deploy(core, "configurator_impl"), env)).at(
        provider.getPoolConfigurator()
    )
    env.update(pool=pool, configurator=configurator)

    erc20 = container("IERC20Detailed")
    listings = []
    for spec, asset in zip(reserves, assets, strict=True):
        token = erc20.at(asset)
        listings.append(Listing(replace(spec, asset=asset), token.symbol(), token.decimals()))
    run(listing_plan(listings))
    oracle, data_provider = env["oracle"], env["data_provider"]
    strategies = [env[strategy_key(asset)] for asset in assets]

    a_token, stable_debt, variable_debt = (
        container("AToken"),
        container("StableDebtToken"),
        container("VariableDebtToken"),
    )
    market = AaveV3Market(
        addresses_provider=provider,
        acl_manager=env["acl"],
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
