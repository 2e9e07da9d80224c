// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/interfaces/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IVault} from "./interfaces/IVault.sol";
import {IStrategy} from "./interfaces/IStrategy.sol";

/// @title Vault
/// @notice ALP's depositor-facing vault: an ERC-4626 over one asset that lends to strategies within on-chain
///         guardrails. The keeper proposes; this contract decides whether a move is inside every bound.
/// @dev Roles, in the spirit of MetaMorpho's split:
///      - admin (`DEFAULT_ADMIN_ROLE`, a TimelockController): adds strategies, loosens any guardrail, sets fees and
///        grants roles. Slow by design.
///      - curator: tightens guardrails and caps at once, orders the withdraw queue.
///      - guardian: pauses, revokes strategies, shuts down. Its actions only ever bring funds back to the vault.
///      - keeper: `rebalance` and `harvest`, nothing else.
///      Total assets are accounted internally (idle + debt), so a donation of the asset cannot move the share price;
///      the decimals offset adds a second, independent defence against the inflation attack. Two things are held back
///      from that sum: profit still unlocking (reported gains unlock over `profitUnlockTime`, weighted so that
///      frequent reports do not stretch earlier profit) and strategies' unrealised losses (each valued at its own
///      manipulation-resistant price). A gain counts only once reported and then unlocks; a loss counts at once, so
///      every depositor pays the same price whoever exits first (Yearn V3's unrealised-loss rule, applied to all).
///      A loss does not eat profit still unlocking: the two are held back separately, so that reporting either, in
///      any order, never moves the price (netting them let a gain reported under a larger loss jump it).
///      Keeper moves are bounded one at a time (caps, turnover, loss) and together, by a rolling loss and turnover
///      budget over `BUDGET_PERIOD` (a leaky bucket) that also counts strategies' own keeper moves.
///      [CAUTION] `withdraw` and `redeem` with the ERC-4626 signatures accept no loss, so they pull only what
///      strategies hold liquid at no loss (`maxWithdraw`/`maxRedeem` say exactly how much); the overloads with
///      `maxLossBps` also unwind strategies at the market and let the caller bound the shortfall.
///      [CAUTION] A strategy whose valuation reverts is counted at book value and skipped by exits.
contract Vault is ERC4626, AccessControl, ReentrancyGuardTransient, IVault {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    // ================================================================== constants

    /// @notice Role of the curator: tightens guardrails and caps immediately.
    bytes32 public constant CURATOR_ROLE = keccak256("CURATOR_ROLE");
    /// @notice Role of the guardian: pause, revoke, shutdown.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @notice Role of the keeper (allocator): rebalance and harvest.
    bytes32 public constant KEEPER_ROLE = keccak256("KEEPER_ROLE");

    /// @notice Basis points in one whole.
    uint256 public constant BPS = 10_000;
    /// @notice Extra decimals of the share token over the asset; makes the inflation attack cost 10^6 times its gain.
    uint8 public constant DECIMALS_OFFSET = 6;
    /// @notice Most strategies the vault can hold; bounds the gas of every loop over them.
    uint256 public constant MAX_STRATEGIES = 20;
    /// @notice Cap on the performance fee (Morpho V2's).
    uint256 public constant MAX_PERFORMANCE_FEE_BPS = 5_000;
    /// @notice Cap on the yearly management fee (Morpho V2's).
    uint256 public constant MAX_MANAGEMENT_FEE_BPS = 500;
    /// @notice Longest profit unlocking period that can be set.
    uint256 public constant MAX_PROFIT_UNLOCK_TIME = 365 days;
    /// @notice Longest minimum interval between rebalances that can be set.
    uint256 public constant MAX_REBALANCE_INTERVAL = 30 days;
    /// @notice Window of the rolling keeper budget: what was spent leaks back linearly over this period.
    uint256 public constant BUDGET_PERIOD = 1 days;
    /// @notice Largest rolling turnover budget that can be set (five times gross assets per period).
    uint256 public constant MAX_TURNOVER_BUDGET_BPS = 50_000;
    /// @notice Deposit limit meaning "no limit".
    uint256 public constant UNLIMITED = type(uint128).max;

    uint256 internal constant WAD = 1e18;
    uint256 internal constant YEAR = 365 days;

    /// @notice Defaults the anchors ship (DESIGN.md): a curator tightens them, the timelock loosens them.
    uint256 public constant DEFAULT_MIN_IDLE_BPS = 200;
    uint256 public constant DEFAULT_MAX_TURNOVER_BPS = 5_000;
    uint256 public constant DEFAULT_MAX_REBALANCE_LOSS_BPS = 1;
    uint256 public constant DEFAULT_MIN_REBALANCE_INTERVAL = 1 hours;
    uint256 public constant DEFAULT_PROFIT_UNLOCK_TIME = 7 days;
    /// @notice Default rolling loss budget: 25 bps of gross assets per day across every keeper move together.
    uint256 public constant DEFAULT_LOSS_BUDGET_BPS = 25;
    /// @notice Default rolling turnover budget: twice gross assets per day.
    uint256 public constant DEFAULT_TURNOVER_BUDGET_BPS = 20_000;

    // ================================================================== storage

    // Slot packing keeps the deposit and idle-withdraw paths within a few cold reads of a bare ERC-4626.
    uint128 internal _totalIdle;
    uint128 internal _totalDebt;

    /// @notice Deposits stop once total assets reach this amount (`UNLIMITED` for none).
    uint128 public depositLimit;
    /// @notice Whether deposits and keeper moves are paused (exits never are).
    bool public paused;
    /// @notice Whether the vault was shut down for good.
    bool public isShutdown;
    /// @notice Idle assets a rebalance must leave, in bps of total assets.
    uint16 public minIdleBps;
    /// @notice Most a rebalance may move (sum of debt changes), in bps of total assets.
    uint16 public maxTurnoverBps;
    /// @notice Most value a rebalance may lose across the strategies it touches, in bps of that value.
    uint16 public maxRebalanceLossBps;
    /// @notice Least time between two rebalances, in seconds.
    uint32 public minRebalanceInterval;
    /// @notice Most value all keeper moves together may lose per `BUDGET_PERIOD`, in bps of gross assets.
    uint16 public lossBudgetBps;
    /// @notice Most value all keeper moves together may trade per `BUDGET_PERIOD`, in bps of gross assets.
    uint16 public turnoverBudgetBps;

    uint128 internal _lockedProfitAtUpdate;
    uint40 internal _lockedProfitUpdatedAt;
    uint40 internal _profitUnlockEnd;
    /// @notice Seconds over which newly reported profit unlocks to depositors.
    uint32 public profitUnlockTime;

    /// @notice Receiver of fee shares.
    address public feeRecipient;
    /// @notice Performance fee on profit above the high-water mark, in bps.
    uint16 public performanceFeeBps;
    /// @notice Yearly management fee on total assets, in bps, accrued at each harvest.
    uint16 public managementFeeBps;
    /// @notice Timestamp up to which the management fee has been charged.
    uint40 public lastFeeAccrual;

    /// @notice Highest net assets per share (WAD-scaled: locked profit in, unrealised losses out) on which
    ///         performance fees were charged; starts at the initial share price.
    uint256 public highWaterMark;

    // The rolling budget in one slot: a re-range pays one cold read and one write for it. 104 bits hold 2e13 whole
    // tokens of an 18-decimal asset per day.
    uint104 internal _lossUsed;
    uint104 internal _turnoverUsed;
    uint40 internal _budgetUpdatedAt;
    /// @notice Timestamp of the last rebalance.
    uint40 public lastRebalance;

    mapping(address => StrategyConfig) internal _strategies;
    address[] internal _withdrawQueue;

    // ================================================================== construction

    /// @param asset_ The asset depositors bring.
    /// @param name_ Share token name.
    /// @param symbol_ Share token symbol.
    /// @param admin The TimelockController that holds `DEFAULT_ADMIN_ROLE`.
    /// @param curator Initial curator.
    /// @param guardian Initial guardian.
    /// @param keeper Initial keeper.
    /// @param feeRecipient_ Receiver of fee shares.
    constructor(
        IERC20 asset_,
        string memory name_,
        string memory symbol_,
        address admin,
        address curator,
        address guardian,
        address keeper,
        address feeRecipient_
    ) ERC20(name_, symbol_) ERC4626(asset_) {
        if (admin == address(0) || feeRecipient_ == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (curator != address(0)) _grantRole(CURATOR_ROLE, curator);
        if (guardian != address(0)) _grantRole(GUARDIAN_ROLE, guardian);
        if (keeper != address(0)) _grantRole(KEEPER_ROLE, keeper);
        feeRecipient = feeRecipient_;
        depositLimit = uint128(UNLIMITED);
        minIdleBps = uint16(DEFAULT_MIN_IDLE_BPS);
        maxTurnoverBps = uint16(DEFAULT_MAX_TURNOVER_BPS);
        maxRebalanceLossBps = uint16(DEFAULT_MAX_REBALANCE_LOSS_BPS);
        minRebalanceInterval = uint32(DEFAULT_MIN_REBALANCE_INTERVAL);
        profitUnlockTime = uint32(DEFAULT_PROFIT_UNLOCK_TIME);
        lossBudgetBps = uint16(DEFAULT_LOSS_BUDGET_BPS);
        turnoverBudgetBps = uint16(DEFAULT_TURNOVER_BUDGET_BPS);
        lastFeeAccrual = uint40(block.timestamp);
        _budgetUpdatedAt = uint40(block.timestamp);
        // The price before any deposit: a first loss must be recovered before any performance fee is due.
        highWaterMark = _grossPrice(0, 0);
    }

    // ================================================================== modifiers

    /// @dev Tightening a guardrail needs the curator or the admin; loosening it needs the admin (the timelock).
    modifier onlyCuratorIf(bool tightens) {
        _authorise(tightens);
        _;
    }

    /// @dev Every keeper move: not paused, not shut down, not past the keeper's own deadline.
    modifier keeperMove(uint256 deadline) {
        _checkRole(KEEPER_ROLE);
        if (paused) revert VaultPaused();
        if (block.timestamp > deadline) revert DeadlineExpired(deadline, block.timestamp);
        _;
    }

    // ================================================================== ERC-4626 views

    /// @notice Idle plus debt, less profit still unlocking and strategies' unrealised losses. Not the asset balance:
    ///         donations do not count.
    function totalAssets() public view override returns (uint256) {
        uint256 gross = uint256(_totalIdle) + _totalDebt;
        uint256 held = _lockedProfit() + _unrealisedLoss();
        return gross > held ? gross - held : 0;
    }

    /// @notice Room left under the deposit limit; zero while paused or after shutdown.
    function maxDeposit(address) public view override returns (uint256) {
        if (paused || isShutdown) return 0;
        uint256 limit = depositLimit;
        // No limit, nothing to compare: skipping the valuation keeps a deposit close to a bare ERC-4626's cost.
        if (limit == UNLIMITED) return type(uint256).max;
        uint256 assets = totalAssets();
        return assets >= limit ? 0 : limit - assets;
    }

    /// @notice Shares matching {maxDeposit}.
    function maxMint(address receiver) public view override returns (uint256) {
        uint256 assets = maxDeposit(receiver);
        return assets == type(uint256).max ? assets : _convertToShares(assets, Math.Rounding.Floor);
    }

    /// @notice The owner's assets, limited by what the loss-free ERC-4626 `withdraw` can pay now: idle, and what
    ///         strategies hold liquid at no loss.
    function maxWithdraw(address owner) public view override returns (uint256) {
        return Math.min(previewRedeem(balanceOf(owner)), _liquidAssets(false));
    }

    /// @notice The owner's shares, limited like {maxWithdraw}.
    function maxRedeem(address owner) public view override returns (uint256) {
        uint256 shares = balanceOf(owner);
        uint256 liquid = _liquidAssets(false);
        if (previewRedeem(shares) <= liquid) return shares;
        return _convertToShares(liquid, Math.Rounding.Floor);
    }

    /// @notice Assets exits can reach now: `unwind = false` for the loss-free ERC-4626 calls (what {maxWithdraw}
    ///         uses), `true` for the overloads with a max loss, which may also sell strategies' positions.
    /// @param unwind Whether positions may be unwound at the market.
    function liquidAssets(bool unwind) external view returns (uint256) {
        return _liquidAssets(unwind);
    }

    // ================================================================== ERC-4626 actions

    /// @inheritdoc ERC4626
    function deposit(uint256 assets, address receiver) public override nonReentrant returns (uint256) {
        return super.deposit(assets, receiver);
    }

    /// @inheritdoc ERC4626
    function mint(uint256 shares, address receiver) public override nonReentrant returns (uint256) {
        return super.mint(shares, receiver);
    }

    /// @notice ERC-4626 withdraw at no loss: pays from idle and what strategies hold liquid (see {maxWithdraw});
    ///         the overload with a max loss also unwinds positions.
    function withdraw(uint256 assets, address receiver, address owner) public override nonReentrant returns (uint256) {
        return _withdrawAssets(assets, receiver, owner, 0, false);
    }

    /// @inheritdoc IVault
    function withdraw(uint256 assets, address receiver, address owner, uint256 maxLossBps)
        external
        nonReentrant
        returns (uint256)
    {
        return _withdrawAssets(assets, receiver, owner, maxLossBps, true);
    }

    /// @notice ERC-4626 redeem at no loss, like {withdraw}; the overload with a max loss also unwinds positions.
    function redeem(uint256 shares, address receiver, address owner) public override nonReentrant returns (uint256) {
        return _redeemShares(shares, receiver, owner, 0, false);
    }

    /// @inheritdoc IVault
    function redeem(uint256 shares, address receiver, address owner, uint256 maxLossBps)
        external
        nonReentrant
        returns (uint256)
    {
        return _redeemShares(shares, receiver, owner, maxLossBps, true);
    }

    // ================================================================== keeper

    /// @inheritdoc IVault
    function rebalance(Allocation[] calldata targets, uint256 deadline, bytes32 rationale)
        external
        nonReentrant
        keeperMove(deadline)
    {
        if (isShutdown) revert VaultShutdown();
        uint256 nextAllowed = uint256(lastRebalance) + minRebalanceInterval;
        if (block.timestamp < nextAllowed) revert RebalanceTooSoon(nextAllowed);

        (uint256 valueBefore, uint256 turnover) = _checkTargets(targets, totalAssets());

        _reportFullExits(targets);
        (uint256 idle, uint256 realisedGain) = _applyMoves(targets);
        lastRebalance = uint40(block.timestamp);
        // What a move realised above the strategies' valuation unlocks like any profit, so the price does not jump;
        // what it realised below is a loss the value check below bounds.
        if (realisedGain > 0) _lock(realisedGain);
        uint256 valueAfter = _checkOutcome(targets, idle, valueBefore, turnover);
        emit Rebalanced(msg.sender, valueBefore, valueAfter, turnover, rationale);
    }

    /// @dev The checks a rebalance can only make afterwards: idle buffer, loss of value, the rolling budget.
    function _checkOutcome(Allocation[] calldata targets, uint256 idle, uint256 valueBefore, uint256 turnover)
        internal
        returns (uint256 valueAfter)
    {
        uint256 minIdle = Math.mulDiv(totalAssets(), minIdleBps, BPS, Math.Rounding.Ceil);
        if (idle < minIdle) revert IdleBufferBreached(idle, minIdle);
        valueAfter = idle;
        for (uint256 i; i < targets.length; ++i) {
            valueAfter += _strategyValue(targets[i].strategy);
        }
        uint256 loss = valueAfter < valueBefore ? valueBefore - valueAfter : 0;
        uint256 maxLoss = Math.mulDiv(valueBefore, maxRebalanceLossBps, BPS);
        if (loss > maxLoss) revert RebalanceLossExceeded(loss, maxLoss);
        _spendBudget(address(this), loss, turnover);
    }

    /// @dev A full exit would turn an unreported gain straight into idle: report it first, so it pays its fee and
    ///      unlocks over time like a harvest's, and nobody can sandwich the exit for it. A loss is reported too, so
    ///      that what the exit then realises is measured against the valuation, not against an outdated book.
    function _reportFullExits(Allocation[] calldata targets) internal {
        for (uint256 i; i < targets.length; ++i) {
            StrategyConfig storage config = _strategies[targets[i].strategy];
            if (targets[i].targetDebt == 0 && config.currentDebt > 0) _report(targets[i].strategy, config);
        }
    }

    /// @dev Decreases first, so the assets they free can fund the increases; stores the new totals. Returns the new
    ///      idle and what full exits paid above the debt they retired.
    function _applyMoves(Allocation[] calldata targets) internal returns (uint256 idle, uint256 realisedGain) {
        uint256 totalDebt;
        (idle, totalDebt, realisedGain) = _applyDecreases(targets);
        for (uint256 i; i < targets.length; ++i) {
            address strategy = targets[i].strategy;
            StrategyConfig storage config = _strategies[strategy];
            uint256 debt = config.currentDebt;
            uint256 target = targets[i].targetDebt;
            if (target <= debt) continue;
            uint256 amount = target - debt;
            if (amount > idle) revert InsufficientLiquidity(amount, idle);
            idle -= amount;
            totalDebt += amount;
            config.currentDebt = target.toUint128();
            IERC20(asset()).forceApprove(strategy, amount);
            IStrategy(strategy).deposit(amount, address(this));
            emit DebtUpdated(strategy, debt, target, 0);
        }
        _totalIdle = idle.toUint128();
        _totalDebt = totalDebt.toUint128();
    }

    function _applyDecreases(Allocation[] calldata targets)
        internal
        returns (uint256 idle, uint256 totalDebt, uint256 realisedGain)
    {
        idle = _totalIdle;
        totalDebt = _totalDebt;
        for (uint256 i; i < targets.length; ++i) {
            address strategy = targets[i].strategy;
            StrategyConfig storage config = _strategies[strategy];
            uint256 debt = config.currentDebt;
            uint256 target = targets[i].targetDebt;
            if (target >= debt) continue;
            uint256 received = target == 0 ? _redeemAllFrom(strategy) : _withdrawFrom(strategy, debt - target);
            config.currentDebt = uint128(target);
            totalDebt -= debt - target;
            idle += received;
            if (received > debt - target) realisedGain += received - (debt - target);
            emit DebtUpdated(strategy, debt, target, received);
        }
    }

    /// @inheritdoc IVault
    function spendBudget(uint256 loss, uint256 turnover) external {
        if (!_strategies[msg.sender].active) revert StrategyNotActive(msg.sender);
        _spendBudget(msg.sender, loss, turnover);
    }

    /// @inheritdoc IVault
    function harvest(address strategy, uint256 deadline) external nonReentrant keeperMove(deadline) {
        StrategyConfig storage config = _strategies[strategy];
        if (!config.active) revert StrategyNotActive(strategy);
        IStrategy(strategy).harvest();
        _report(strategy, config);
    }

    // ================================================================== guardian

    /// @notice Pauses deposits and keeper moves. Withdrawals stay open.
    function pause() external onlyRole(GUARDIAN_ROLE) {
        paused = true;
        emit Paused(msg.sender);
    }

    /// @notice Lifts the pause; loosening, so only the admin (timelock) may.
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        paused = false;
        emit Unpaused(msg.sender);
    }

    /// @notice Shuts the vault down for good: no deposits, no rebalances. Exits and harvests stay open.
    function shutdown() external onlyRole(GUARDIAN_ROLE) {
        isShutdown = true;
        emit Shutdown(msg.sender);
    }

    /// @notice Takes every asset back from a strategy into the idle buffer and removes it.
    /// @param strategy An active strategy.
    /// @param force Write the strategy's debt off without calling it (for a strategy whose exit reverts).
    function revokeStrategy(address strategy, bool force) external nonReentrant onlyRole(GUARDIAN_ROLE) {
        StrategyConfig storage config = _strategies[strategy];
        if (!config.active) revert StrategyNotActive(strategy);
        // Marked to its valuation first, so what the exit realises against it cannot jump the price (see rebalance).
        if (!force && config.currentDebt > 0) _report(strategy, config);
        uint256 debt = config.currentDebt;
        uint256 recovered = force ? 0 : _redeemAllFrom(strategy);

        delete _strategies[strategy];
        _removeFromQueue(strategy);
        _totalDebt = (uint256(_totalDebt) - debt).toUint128();
        _totalIdle = (uint256(_totalIdle) + recovered).toUint128();
        uint256 loss = debt > recovered ? debt - recovered : 0;
        // A gain on exit unlocks like any other profit; a loss lowers the price at once.
        if (recovered > debt) _lock(recovered - debt);
        emit StrategyRevoked(strategy, recovered, loss);
    }

    // ================================================================== admin (timelock)

    /// @notice Adds a strategy with its caps and appends it to the withdraw queue.
    /// @param strategy A strategy whose asset is this vault's asset and whose vault is this vault.
    /// @param maxDebt Absolute debt cap.
    /// @param maxDebtBps Debt cap in bps of total assets.
    function addStrategy(address strategy, uint256 maxDebt, uint256 maxDebtBps)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (strategy == address(0)) revert ZeroAddress();
        if (_strategies[strategy].active) revert StrategyAlreadyActive(strategy);
        if (IStrategy(strategy).asset() != asset() || IStrategy(strategy).vault() != address(this)) {
            revert StrategyMismatch(strategy);
        }
        if (_withdrawQueue.length >= MAX_STRATEGIES) revert TooManyStrategies();
        if (maxDebtBps > BPS) revert ValueOutOfBounds("maxDebtBps", maxDebtBps, BPS);
        _strategies[strategy] = StrategyConfig({
            currentDebt: 0,
            maxDebt: maxDebt.toUint128(),
            maxDebtBps: uint16(maxDebtBps),
            active: true,
            lastReport: uint40(block.timestamp)
        });
        _withdrawQueue.push(strategy);
        emit StrategyAdded(strategy, maxDebt, maxDebtBps);
    }

    /// @notice Sets a strategy's caps: lowering both is the curator's, raising either is the admin's.
    /// @param strategy An active strategy.
    /// @param maxDebt New absolute cap.
    /// @param maxDebtBps New cap in bps of total assets.
    function setStrategyCaps(address strategy, uint256 maxDebt, uint256 maxDebtBps)
        external
        onlyCuratorIf(maxDebt <= _strategies[strategy].maxDebt && maxDebtBps <= _strategies[strategy].maxDebtBps)
    {
        StrategyConfig storage config = _strategies[strategy];
        if (!config.active) revert StrategyNotActive(strategy);
        if (maxDebtBps > BPS) revert ValueOutOfBounds("maxDebtBps", maxDebtBps, BPS);
        config.maxDebt = maxDebt.toUint128();
        config.maxDebtBps = uint16(maxDebtBps);
        emit StrategyCapsUpdated(strategy, maxDebt, maxDebtBps);
    }

    /// @notice Sets the idle buffer a rebalance must leave; raising it tightens.
    /// @param value New minimum, in bps of total assets.
    function setMinIdleBps(uint256 value) external onlyCuratorIf(value >= minIdleBps) {
        _checkBound("minIdleBps", value, BPS);
        emit GuardrailUpdated("minIdleBps", minIdleBps, value);
        minIdleBps = uint16(value);
    }

    /// @notice Sets the least time between rebalances; raising it tightens.
    /// @param value New interval, in seconds.
    function setMinRebalanceInterval(uint256 value) external onlyCuratorIf(value >= minRebalanceInterval) {
        _checkBound("minRebalanceInterval", value, MAX_REBALANCE_INTERVAL);
        emit GuardrailUpdated("minRebalanceInterval", minRebalanceInterval, value);
        minRebalanceInterval = uint32(value);
    }

    /// @notice Sets the most a rebalance may move; lowering it tightens.
    /// @param value New maximum, in bps of total assets.
    function setMaxTurnoverBps(uint256 value) external onlyCuratorIf(value <= maxTurnoverBps) {
        _checkBound("maxTurnoverBps", value, BPS);
        emit GuardrailUpdated("maxTurnoverBps", maxTurnoverBps, value);
        maxTurnoverBps = uint16(value);
    }

    /// @notice Sets the most value a rebalance may lose; lowering it tightens.
    /// @param value New maximum, in bps of the value touched.
    function setMaxRebalanceLossBps(uint256 value) external onlyCuratorIf(value <= maxRebalanceLossBps) {
        _checkBound("maxRebalanceLossBps", value, BPS);
        emit GuardrailUpdated("maxRebalanceLossBps", maxRebalanceLossBps, value);
        maxRebalanceLossBps = uint16(value);
    }

    /// @notice Sets the deposit limit; lowering it tightens.
    /// @param value New limit in the asset (`UNLIMITED` for none).
    function setDepositLimit(uint256 value) external onlyCuratorIf(value <= depositLimit) {
        _checkBound("depositLimit", value, UNLIMITED);
        emit GuardrailUpdated("depositLimit", depositLimit, value);
        depositLimit = uint128(value);
    }

    /// @notice Sets how long reported profit takes to unlock; lengthening it tightens.
    /// @param value New period, in seconds (0 unlocks profit at once).
    function setProfitUnlockTime(uint256 value) external onlyCuratorIf(value >= profitUnlockTime) {
        _checkBound("profitUnlockTime", value, MAX_PROFIT_UNLOCK_TIME);
        // Not retroactive: profit already locked keeps its schedule; the new period applies to later reports.
        emit GuardrailUpdated("profitUnlockTime", profitUnlockTime, value);
        profitUnlockTime = uint32(value);
    }

    /// @notice Sets the rolling loss budget of all keeper moves together; lowering it tightens.
    /// @param value New budget, in bps of gross assets per `BUDGET_PERIOD`.
    function setLossBudgetBps(uint256 value) external onlyCuratorIf(value <= lossBudgetBps) {
        _checkBound("lossBudgetBps", value, BPS);
        emit GuardrailUpdated("lossBudgetBps", lossBudgetBps, value);
        lossBudgetBps = uint16(value);
    }

    /// @notice Sets the rolling turnover budget of all keeper moves together; lowering it tightens.
    /// @param value New budget, in bps of gross assets per `BUDGET_PERIOD`.
    function setTurnoverBudgetBps(uint256 value) external onlyCuratorIf(value <= turnoverBudgetBps) {
        _checkBound("turnoverBudgetBps", value, MAX_TURNOVER_BUDGET_BPS);
        emit GuardrailUpdated("turnoverBudgetBps", turnoverBudgetBps, value);
        turnoverBudgetBps = uint16(value);
    }

    /// @notice Sets the fees (admin only; both capped). The management fee accrued so far is charged first.
    /// @param performanceFeeBps_ Performance fee on profit above the high-water mark, in bps.
    /// @param managementFeeBps_ Yearly management fee, in bps.
    function setFees(uint256 performanceFeeBps_, uint256 managementFeeBps_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _checkBound("performanceFeeBps", performanceFeeBps_, MAX_PERFORMANCE_FEE_BPS);
        _checkBound("managementFeeBps", managementFeeBps_, MAX_MANAGEMENT_FEE_BPS);
        // Charge the old management rate up to now, so the new rate is never applied retroactively.
        _chargeFees(0);
        performanceFeeBps = uint16(performanceFeeBps_);
        managementFeeBps = uint16(managementFeeBps_);
        emit FeesUpdated(performanceFeeBps_, managementFeeBps_);
    }

    /// @notice Sets the receiver of fee shares (admin only).
    /// @param feeRecipient_ The new receiver.
    function setFeeRecipient(address feeRecipient_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (feeRecipient_ == address(0)) revert ZeroAddress();
        feeRecipient = feeRecipient_;
        emit FeeRecipientUpdated(feeRecipient_);
    }

    /// @notice Reorders the withdraw queue; it must list every active strategy exactly once.
    /// @param queue The active strategies in the order withdrawals should pull from them.
    function setWithdrawQueue(address[] calldata queue) external onlyCuratorIf(true) {
        uint256 length = queue.length;
        if (length != _withdrawQueue.length) revert InvalidWithdrawQueue();
        for (uint256 i; i < length; ++i) {
            if (!_strategies[queue[i]].active) revert InvalidWithdrawQueue();
            for (uint256 j; j < i; ++j) {
                if (queue[j] == queue[i]) revert InvalidWithdrawQueue();
            }
        }
        _withdrawQueue = queue;
        emit WithdrawQueueUpdated(queue);
    }

    // ================================================================== views

    /// @notice A strategy's book-keeping and caps.
    /// @param strategy The strategy.
    function strategies(address strategy) external view returns (StrategyConfig memory) {
        return _strategies[strategy];
    }

    /// @notice The order in which withdrawals pull from strategies.
    function withdrawQueue() external view returns (address[] memory) {
        return _withdrawQueue;
    }

    /// @notice Assets held by the vault itself, as accounted (donations excluded).
    function totalIdle() external view returns (uint256) {
        return _totalIdle;
    }

    /// @notice Assets lent to strategies, at book value.
    function totalDebt() external view returns (uint256) {
        return _totalDebt;
    }

    /// @notice Reported profit that has not unlocked yet.
    function lockedProfit() external view returns (uint256) {
        return _lockedProfit();
    }

    /// @notice When profit locked now will have fully unlocked (unix seconds; in the past when none is locked).
    function profitUnlockEnd() external view returns (uint256) {
        return _profitUnlockEnd;
    }

    /// @notice Sum of strategies' value shortfalls against their debt, not yet reported.
    function unrealisedLoss() external view returns (uint256) {
        return _unrealisedLoss();
    }

    /// @notice The rolling budget as it stands now: what keeper moves have used and what the window allows.
    /// @return lossUsed Loss counted in the window (it leaks back linearly over `BUDGET_PERIOD`).
    /// @return lossBudget Loss the window allows at today's gross assets.
    /// @return turnoverUsed Turnover counted in the window.
    /// @return turnoverBudget Turnover the window allows.
    function budget()
        external
        view
        returns (uint256 lossUsed, uint256 lossBudget, uint256 turnoverUsed, uint256 turnoverBudget)
    {
        (lossUsed, lossBudget, turnoverUsed, turnoverBudget) = _budgetNow();
    }

    // ================================================================== internals

    // One body for every setter: a modifier's code is copied into each function that uses it.
    function _authorise(bool tightens) internal view {
        if (!(hasRole(DEFAULT_ADMIN_ROLE, msg.sender) || (tightens && hasRole(CURATOR_ROLE, msg.sender)))) {
            revert Unauthorized(msg.sender);
        }
    }

    function _decimalsOffset() internal pure override returns (uint8) {
        return DECIMALS_OFFSET;
    }

    function _deposit(address caller, address receiver, uint256 assets, uint256 shares) internal override {
        _totalIdle = (uint256(_totalIdle) + assets).toUint128();
        super._deposit(caller, receiver, assets, shares);
    }

    function _withdrawAssets(uint256 assets, address receiver, address owner, uint256 maxLossBps, bool unwind)
        internal
        returns (uint256 shares)
    {
        uint256 owned = previewRedeem(balanceOf(owner));
        if (assets > owned) revert ERC4626ExceededMaxWithdraw(owner, assets, owned);
        shares = previewWithdraw(assets);
        _exit(receiver, owner, assets, shares, maxLossBps, unwind);
    }

    function _redeemShares(uint256 shares, address receiver, address owner, uint256 maxLossBps, bool unwind)
        internal
        returns (uint256)
    {
        uint256 owned = balanceOf(owner);
        if (shares > owned) revert ERC4626ExceededMaxRedeem(owner, shares, owned);
        return _exit(receiver, owner, previewRedeem(shares), shares, maxLossBps, unwind);
    }

    /// @dev Pays `assets` for `shares`, pulling from strategies in queue order when idle is short. The price already
    ///      carries the owner's share of every unrealised loss; what an unwind realises below a strategy's valuation
    ///      (slippage) is the exiting owner's, bounded by `maxLossBps`, so it never lands on those who stay.
    function _exit(address receiver, address owner, uint256 assets, uint256 shares, uint256 maxLossBps, bool unwind)
        internal
        returns (uint256 paid)
    {
        _checkBound("maxLossBps", maxLossBps, BPS);
        if (msg.sender != owner) _spendAllowance(owner, msg.sender, shares);
        uint256 idle = _totalIdle;
        uint256 loss;
        if (assets > idle) {
            uint256 received;
            (received, loss) = _pullFromStrategies(assets - idle, unwind);
            idle += received;
            uint256 maxLoss = Math.mulDiv(assets, maxLossBps, BPS);
            if (loss > maxLoss) revert WithdrawLossExceeded(loss, maxLoss);
        }
        paid = assets - loss;
        // Burn before the transfer out: any re-entry through the asset sees the shares already gone.
        _burn(owner, shares);
        _totalIdle = (idle - paid).toUint128();
        IERC20(asset()).safeTransfer(receiver, paid);
        emit Withdraw(msg.sender, receiver, owner, paid, shares);
    }

    /// @dev Pulls `needed` of value from strategies in queue order, each at most its marked value (debt capped by
    ///      valuation) and what it can pay (`liquidAssets` without unwinding, `maxWithdraw` with). Debt falls by what
    ///      was asked, so an unrealised loss stays with the strategy, where the price already counts it. A strategy
    ///      whose valuation or exit reverts is skipped: one broken strategy never blocks exits others can pay.
    function _pullFromStrategies(uint256 needed, bool unwind) internal returns (uint256 received, uint256 loss) {
        uint256 totalDebt = _totalDebt;
        uint256 length = _withdrawQueue.length;
        for (uint256 i; i < length && needed > 0; ++i) {
            address strategy = _withdrawQueue[i];
            StrategyConfig storage config = _strategies[strategy];
            uint256 debt = config.currentDebt;
            uint256 pull = Math.min(needed, _reachable(strategy, debt, unwind));
            if (pull == 0) continue;
            (bool ok, uint256 got) = _tryWithdrawFrom(strategy, pull);
            if (!ok) continue;
            config.currentDebt = uint128(debt - pull);
            totalDebt -= pull;
            needed -= pull;
            received += got;
            if (got < pull) loss += pull - got;
            emit DebtUpdated(strategy, debt, debt - pull, got);
        }
        if (needed > 0) revert InsufficientLiquidity(needed, received);
        _totalDebt = totalDebt.toUint128();
    }

    /// @dev What an exit may pull from a strategy: its marked value (debt, or less after a loss), capped by what it
    ///      can pay now. Zero for a strategy whose valuation reverts. Never reverts.
    function _reachable(address strategy, uint256 debt, bool unwind) internal view returns (uint256) {
        if (debt == 0) return 0;
        (bool ok, uint256 value) = _tryStrategyValue(strategy);
        if (!ok) return 0;
        uint256 payable_ = unwind ? _maxWithdrawFrom(strategy) : _liquidFrom(strategy);
        return Math.min(Math.min(value, debt), payable_);
    }

    /// @dev Redeems the shares worth `assets` from a strategy in an exit; `ok` is false when the strategy reverts.
    function _tryWithdrawFrom(address strategy, uint256 assets) internal returns (bool ok, uint256 got) {
        IStrategy s = IStrategy(strategy);
        try s.previewWithdraw(assets) returns (uint256 shares) {
            shares = Math.min(shares, s.balanceOf(address(this)));
            IERC20 token = IERC20(asset());
            uint256 before = token.balanceOf(address(this));
            try s.redeem(shares, address(this), address(this)) {
                return (true, token.balanceOf(address(this)) - before);
            } catch {
                return (false, 0);
            }
        } catch {
            return (false, 0);
        }
    }

    /// @dev Withdraws `assets` from a strategy; returns what actually arrived (strategies may pay less).
    function _withdrawFrom(address strategy, uint256 assets) internal returns (uint256) {
        IStrategy s = IStrategy(strategy);
        uint256 shares = Math.min(s.previewWithdraw(assets), s.balanceOf(address(this)));
        return _redeemFrom(s, shares);
    }

    function _redeemAllFrom(address strategy) internal returns (uint256) {
        IStrategy s = IStrategy(strategy);
        return _redeemFrom(s, s.balanceOf(address(this)));
    }

    function _redeemFrom(IStrategy strategy, uint256 shares) internal returns (uint256) {
        if (shares == 0) return 0;
        IERC20 token = IERC20(asset());
        uint256 before = token.balanceOf(address(this));
        strategy.redeem(shares, address(this), address(this));
        return token.balanceOf(address(this)) - before;
    }

    /// @dev Validates the targets (order, activity, caps, turnover); returns idle + the touched strategies' value, and
    ///      the turnover (sum of absolute debt changes).
    function _checkTargets(Allocation[] calldata targets, uint256 total)
        internal
        view
        returns (uint256 value, uint256 turnover)
    {
        value = _totalIdle;
        address previous;
        for (uint256 i; i < targets.length; ++i) {
            address strategy = targets[i].strategy;
            if (strategy <= previous) revert TargetsNotSorted();
            previous = strategy;
            StrategyConfig storage config = _strategies[strategy];
            if (!config.active) revert StrategyNotActive(strategy);
            uint256 debt = config.currentDebt;
            uint256 target = targets[i].targetDebt;
            if (target > debt) {
                if (target > config.maxDebt) revert StrategyCapExceeded(strategy, target, config.maxDebt);
                uint256 capFromBps = Math.mulDiv(total, config.maxDebtBps, BPS);
                if (target > capFromBps) revert StrategyCapBpsExceeded(strategy, target, capFromBps);
                turnover += target - debt;
            } else {
                turnover += debt - target;
            }
            value += _strategyValue(strategy);
        }
        uint256 maxTurnover = Math.mulDiv(total, maxTurnoverBps, BPS);
        if (turnover > maxTurnover) revert TurnoverExceeded(turnover, maxTurnover);
    }

    function _strategyValue(address strategy) internal view returns (uint256) {
        IStrategy s = IStrategy(strategy);
        return s.convertToAssets(s.balanceOf(address(this)));
    }

    /// @dev A strategy's value, or `ok = false` when its valuation reverts (e.g. its pool's oracle is too short).
    function _tryStrategyValue(address strategy) internal view returns (bool ok, uint256 value) {
        IStrategy s = IStrategy(strategy);
        try s.convertToAssets(s.balanceOf(address(this))) returns (uint256 assets) {
            return (true, assets);
        } catch {
            return (false, 0);
        }
    }

    /// @dev Sum over strategies of debt minus value where value is lower; a strategy whose valuation reverts counts
    ///      at book (no loss known).
    function _unrealisedLoss() internal view returns (uint256 loss) {
        // Nothing lent, nothing to value: keeps an idle vault's deposit at the cost of a bare ERC-4626.
        if (_totalDebt == 0) return 0;
        uint256 length = _withdrawQueue.length;
        for (uint256 i; i < length; ++i) {
            address strategy = _withdrawQueue[i];
            uint256 debt = _strategies[strategy].currentDebt;
            if (debt == 0) continue;
            (bool ok, uint256 value) = _tryStrategyValue(strategy);
            if (ok && value < debt) loss += debt - value;
        }
    }

    /// @dev A view must never revert (integrators rely on it): a strategy whose `maxWithdraw` fails counts as illiquid.
    function _maxWithdrawFrom(address strategy) internal view returns (uint256) {
        try IStrategy(strategy).maxWithdraw(address(this)) returns (uint256 available) {
            return available;
        } catch {
            return 0;
        }
    }

    function _liquidFrom(address strategy) internal view returns (uint256) {
        try IStrategy(strategy).liquidAssets() returns (uint256 available) {
            return available;
        } catch {
            return 0;
        }
    }

    function _liquidAssets(bool unwind) internal view returns (uint256 liquid) {
        liquid = _totalIdle;
        uint256 length = _withdrawQueue.length;
        for (uint256 i; i < length; ++i) {
            address strategy = _withdrawQueue[i];
            liquid += _reachable(strategy, _strategies[strategy].currentDebt, unwind);
        }
    }

    /// @dev Profit still locked: it unlocks linearly from the last update to `_profitUnlockEnd`.
    function _lockedProfit() internal view returns (uint256) {
        uint256 end = _profitUnlockEnd;
        if (block.timestamp >= end) return 0;
        return Math.mulDiv(_lockedProfitAtUpdate, end - block.timestamp, end - _lockedProfitUpdatedAt);
    }

    /// @dev Locks `gain` with what is still locked. The new end is the amount-weighted mean of the old remaining time
    ///      and a full period for the gain (Yearn V3's rule): a report adding nothing leaves the schedule as it was,
    ///      however often it comes.
    function _lock(uint256 gain) internal returns (uint256 locked) {
        locked = _lockedProfit();
        uint256 remaining = locked > 0 ? _profitUnlockEnd - block.timestamp : 0;
        uint256 period = profitUnlockTime;
        if (gain > 0 && period > 0) {
            remaining = (locked * remaining + gain * period) / (locked + gain);
            locked += gain;
        }
        _lockedProfitAtUpdate = locked.toUint128();
        _lockedProfitUpdatedAt = uint40(block.timestamp);
        _profitUnlockEnd = uint40(block.timestamp + remaining);
    }

    /// @dev Reports a strategy at its current value: fees on the gain, the rest locked; a loss taken from locked
    ///      profit first. The high-water mark follows the net price.
    function _report(address strategy, StrategyConfig storage config) internal {
        uint256 value = _strategyValue(strategy);
        uint256 debt = config.currentDebt;
        uint256 gain = value > debt ? value - debt : 0;
        uint256 loss = debt > value ? debt - value : 0;
        (uint256 performanceShares, uint256 managementShares, uint256 performanceFee) = _chargeFees(gain);

        config.currentDebt = value.toUint128();
        config.lastReport = uint40(block.timestamp);
        _totalDebt = (uint256(_totalDebt) + gain - loss).toUint128();
        uint256 newLocked = _lock(gain - performanceFee);

        uint256 price = _grossPrice(_netAssets(), totalSupply());
        if (price > highWaterMark) highWaterMark = price;
        emit Harvested(strategy, gain, loss, performanceShares, managementShares, newLocked);
    }

    /// @dev Gross assets less unrealised losses: what the performance fee and its high-water mark measure, so that
    ///      a gain in one strategy offset by a loss in another is no gain, whichever is reported first.
    function _netAssets() internal view returns (uint256) {
        uint256 gross = uint256(_totalIdle) + _totalDebt;
        uint256 loss = _unrealisedLoss();
        return gross > loss ? gross - loss : 0;
    }

    /// @dev Leaks the budget used so far down by the time elapsed, at the rate of today's budget.
    function _budgetNow()
        internal
        view
        returns (uint256 lossUsed, uint256 lossBudget, uint256 turnoverUsed, uint256 turnoverBudget)
    {
        uint256 gross = uint256(_totalIdle) + _totalDebt;
        uint256 elapsed = block.timestamp - _budgetUpdatedAt;
        lossBudget = Math.mulDiv(gross, lossBudgetBps, BPS);
        turnoverBudget = Math.mulDiv(gross, turnoverBudgetBps, BPS);
        lossUsed = _leak(_lossUsed, lossBudget, elapsed);
        turnoverUsed = _leak(_turnoverUsed, turnoverBudget, elapsed);
    }

    function _leak(uint256 used, uint256 rate, uint256 elapsed) internal pure returns (uint256) {
        uint256 drained = Math.mulDiv(rate, elapsed, BUDGET_PERIOD);
        return used > drained ? used - drained : 0;
    }

    /// @dev Adds a keeper move to the rolling budget; reverts when either side would overflow it.
    function _spendBudget(address by, uint256 loss, uint256 turnover) internal {
        (uint256 lossUsed, uint256 lossBudget, uint256 turnoverUsed, uint256 turnoverBudget) = _budgetNow();
        lossUsed += loss;
        turnoverUsed += turnover;
        if (lossUsed > lossBudget) revert LossBudgetExceeded(lossUsed, lossBudget);
        if (turnoverUsed > turnoverBudget) revert TurnoverBudgetExceeded(turnoverUsed, turnoverBudget);
        _lossUsed = lossUsed.toUint104();
        _turnoverUsed = turnoverUsed.toUint104();
        _budgetUpdatedAt = uint40(block.timestamp);
        emit BudgetSpent(by, loss, turnover, lossUsed, turnoverUsed);
    }

    /// @dev Mints the management fee (time-based, on assets depositors own) and the performance fee (on `gain` above
    ///      the high-water mark) as shares at the pre-report price. The performance fee's own assets stay unlocked and
    ///      back its shares exactly; the management fee dilutes, which is what charging it means.
    function _chargeFees(uint256 gain)
        internal
        returns (uint256 performanceShares, uint256 managementShares, uint256 performanceFee)
    {
        uint256 owned = totalAssets();
        uint256 supply = totalSupply();
        uint256 elapsed = block.timestamp - lastFeeAccrual;
        // Capped at half the assets so years without a harvest cannot mint an absurd dilution in one go.
        uint256 managementFee =
            Math.min(Math.mulDiv(owned, uint256(managementFeeBps) * elapsed, BPS * YEAR), owned / 2);
        performanceFee = gain == 0 ? 0 : _performanceFee(_netAssets(), gain, supply);
        performanceShares = _convertToShares(performanceFee, Math.Rounding.Floor);
        // Priced so that after the dilution the recipient's shares are worth exactly the fee.
        managementShares = Math.mulDiv(managementFee, supply + 10 ** DECIMALS_OFFSET, owned - managementFee + 1);
        lastFeeAccrual = uint40(block.timestamp);
        if (performanceShares + managementShares > 0) _mint(feeRecipient, performanceShares + managementShares);
    }

    /// @dev Gross assets (locked profit included) per share, WAD-scaled, with the same virtual offset as ERC-4626.
    function _grossPrice(uint256 grossAssets, uint256 supply) internal pure returns (uint256) {
        return Math.mulDiv(grossAssets + 1, WAD, supply + 10 ** DECIMALS_OFFSET);
    }

    /// @dev Fee on the part of `gain` that lifts the net share price above both the high-water mark and the price
    ///      before the gain: after a loss, reported or not, nothing is charged until the old high is regained.
    function _performanceFee(uint256 net, uint256 gain, uint256 supply) internal view returns (uint256) {
        uint256 priceAfter = _grossPrice(net + gain, supply);
        uint256 floor = Math.max(highWaterMark, _grossPrice(net, supply));
        if (priceAfter <= floor) return 0;
        uint256 feeable = Math.min(gain, Math.mulDiv(priceAfter - floor, supply + 10 ** DECIMALS_OFFSET, WAD));
        return Math.mulDiv(feeable, performanceFeeBps, BPS);
    }

    function _checkBound(bytes32 name, uint256 value, uint256 bound) internal pure {
        if (value > bound) revert ValueOutOfBounds(name, value, bound);
    }

    function _removeFromQueue(address strategy) internal {
        uint256 length = _withdrawQueue.length;
        for (uint256 i; i < length; ++i) {
            if (_withdrawQueue[i] == strategy) {
                // Shift rather than swap-and-pop: the queue's order is the curator's decision.
                for (uint256 j = i; j + 1 < length; ++j) {
                    _withdrawQueue[j] = _withdrawQueue[j + 1];
                }
                _withdrawQueue.pop();
                emit WithdrawQueueUpdated(_withdrawQueue);
                return;
            }
        }
    }
}
