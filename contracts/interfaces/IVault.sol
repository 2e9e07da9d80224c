// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IVault
/// @notice The ALP vault beyond ERC-4626: strategies, guardrails, roles, fees. Every guardrail is a named parameter
///         with its own error; tightening one applies at once (curator), loosening one waits for the timelock (admin).
interface IVault {
    // ------------------------------------------------------------------ types

    /// @notice Book-keeping and caps of one strategy.
    /// @param currentDebt Assets the vault has lent the strategy, at book value (updated on every move and report).
    /// @param maxDebt Absolute cap on `currentDebt`, in the asset.
    /// @param maxDebtBps Cap on `currentDebt` as basis points of the vault's total assets.
    /// @param active Whether the strategy was added and not revoked.
    /// @param lastReport Timestamp of the last harvest of this strategy.
    struct StrategyConfig {
        uint128 currentDebt;
        uint128 maxDebt;
        uint16 maxDebtBps;
        bool active;
        uint40 lastReport;
    }

    /// @notice One entry of a rebalance: the debt the keeper wants a strategy to carry afterwards.
    struct Allocation {
        address strategy;
        uint256 targetDebt;
    }

    // ------------------------------------------------------------------ events

    /// @notice A strategy was added by the admin (through the timelock).
    event StrategyAdded(address indexed strategy, uint256 maxDebt, uint256 maxDebtBps);
    /// @notice A strategy was revoked; all its assets came back to the vault, `loss` of them was realised.
    event StrategyRevoked(address indexed strategy, uint256 recovered, uint256 loss);
    /// @notice A strategy's caps changed.
    event StrategyCapsUpdated(address indexed strategy, uint256 maxDebt, uint256 maxDebtBps);
    /// @notice Assets moved between the idle buffer and a strategy. `received` is what actually arrived back.
    event DebtUpdated(address indexed strategy, uint256 oldDebt, uint256 newDebt, uint256 received);
    /// @notice A keeper rebalance finished inside every guardrail. `rationale` is the keeper's hash of the inputs and
    ///         model version behind the decision (`alp explain TX` recomputes it).
    event Rebalanced(
        address indexed keeper, uint256 valueBefore, uint256 valueAfter, uint256 turnover, bytes32 rationale
    );
    /// @notice A keeper move (a rebalance, or a strategy's re-range) drew on the rolling loss and turnover budget.
    /// @param by The vault itself (rebalance) or the strategy that re-ranged.
    /// @param loss Value the move lost, in the asset.
    /// @param turnover Value the move traded or moved, in the asset.
    /// @param lossUsed Loss counted in the current window after this move (leaked down over time).
    /// @param turnoverUsed Turnover counted in the current window after this move.
    event BudgetSpent(address indexed by, uint256 loss, uint256 turnover, uint256 lossUsed, uint256 turnoverUsed);
    /// @notice A strategy's gain or loss was reported (at a harvest, or before a full exit realises an unreported
    ///         gain); fees were minted as shares, the rest locked to unlock over time.
    event Harvested(
        address indexed strategy,
        uint256 gain,
        uint256 loss,
        uint256 performanceFeeShares,
        uint256 managementFeeShares,
        uint256 lockedProfit
    );
    /// @notice A guardrail parameter changed; `name` is the parameter's name as bytes32.
    event GuardrailUpdated(bytes32 indexed name, uint256 oldValue, uint256 newValue);
    /// @notice Fees changed.
    event FeesUpdated(uint256 performanceFeeBps, uint256 managementFeeBps);
    /// @notice The fee recipient changed.
    event FeeRecipientUpdated(address indexed feeRecipient);
    /// @notice The order in which withdrawals pull from strategies changed.
    event WithdrawQueueUpdated(address[] queue);
    /// @notice The guardian paused deposits and keeper moves.
    event Paused(address indexed account);
    /// @notice The admin lifted the pause.
    event Unpaused(address indexed account);
    /// @notice The guardian shut the vault down for good: no deposits, no keeper moves; exits stay open.
    event Shutdown(address indexed account);

    // ------------------------------------------------------------------ errors

    /// @notice A role-gated function was called by an account without the role.
    error Unauthorized(address account);
    /// @notice A keeper call arrived after the deadline the keeper signed it with.
    error DeadlineExpired(uint256 deadline, uint256 timestamp);
    /// @notice A rebalance came sooner than `minRebalanceInterval` after the previous one.
    error RebalanceTooSoon(uint256 nextAllowed);
    /// @notice A rebalance would give a strategy more debt than its absolute cap.
    error StrategyCapExceeded(address strategy, uint256 targetDebt, uint256 maxDebt);
    /// @notice A rebalance would give a strategy more debt than its cap in bps of total assets.
    error StrategyCapBpsExceeded(address strategy, uint256 targetDebt, uint256 maxDebtFromBps);
    /// @notice After a rebalance, idle assets would fall below `minIdleBps` of total assets.
    error IdleBufferBreached(uint256 idle, uint256 minIdle);
    /// @notice A rebalance would move more than `maxTurnoverBps` of total assets.
    error TurnoverExceeded(uint256 turnover, uint256 maxTurnover);
    /// @notice A rebalance would lose more than `maxRebalanceLossBps` of the value it touched.
    error RebalanceLossExceeded(uint256 loss, uint256 maxLoss);
    /// @notice A withdrawal that pulled from strategies would lose more than the user's maximum loss.
    error WithdrawLossExceeded(uint256 loss, uint256 maxLoss);
    /// @notice A withdrawal asked for more than is liquid across the idle buffer and the withdraw queue.
    error InsufficientLiquidity(uint256 requested, uint256 available);
    /// @notice A deposit or keeper move was attempted while paused.
    error VaultPaused();
    /// @notice A deposit or keeper move was attempted after shutdown.
    error VaultShutdown();
    /// @notice The strategy is not active in this vault.
    error StrategyNotActive(address strategy);
    /// @notice The strategy is already active in this vault.
    error StrategyAlreadyActive(address strategy);
    /// @notice The strategy's asset or vault does not match this vault.
    error StrategyMismatch(address strategy);
    /// @notice The vault already has `MAX_STRATEGIES` strategies.
    error TooManyStrategies();
    /// @notice Rebalance targets must be listed in strictly increasing address order (no duplicates).
    error TargetsNotSorted();
    /// @notice A new withdraw queue is not exactly a permutation of the active strategies.
    error InvalidWithdrawQueue();
    /// @notice A value is outside what the parameter can ever take (e.g. more than 100 % in bps, a fee over its cap).
    error ValueOutOfBounds(bytes32 name, uint256 value, uint256 bound);
    /// @notice A zero address was given where an account is required.
    error ZeroAddress();
    /// @notice Keeper moves in the rolling window would lose more than `lossBudgetBps` of gross assets.
    error LossBudgetExceeded(uint256 used, uint256 budget);
    /// @notice Keeper moves in the rolling window would trade more than `turnoverBudgetBps` of gross assets.
    error TurnoverBudgetExceeded(uint256 used, uint256 budget);

    // ------------------------------------------------------------------ keeper

    /// @notice Moves assets between the idle buffer and strategies so each listed strategy ends at its target debt.
    /// @dev Decreases run before increases so freed assets can fund them. Checks, on-chain: deadline, interval,
    ///      each strategy's caps, turnover, idle buffer, and the loss of value across the touched strategies.
    ///      The move's loss and turnover are drawn from the rolling budget (`spendBudget`). A full exit from a
    ///      strategy first reports its unreported gain, so that gain pays its fee and unlocks like a harvest's.
    /// @param targets Target debts, sorted by strategy address, no duplicates; unlisted strategies are untouched.
    /// @param deadline The keeper's deadline for this call (unix seconds).
    /// @param rationale The keeper's hash of the recorded inputs and model version behind the move (emitted).
    function rebalance(Allocation[] calldata targets, uint256 deadline, bytes32 rationale) external;

    /// @notice Draws a strategy's keeper move on the vault's rolling budget; reverts when the budget is spent.
    /// @dev Only an active strategy may call, from its own keeper move (e.g. `rebalanceRange`).
    /// @param loss Value the move lost, in the asset.
    /// @param turnover Value the move traded, in the asset.
    function spendBudget(uint256 loss, uint256 turnover) external;

    /// @notice Harvests a strategy and reports its gain or loss: fees are minted, the net gain unlocks over time.
    /// @param strategy An active strategy.
    /// @param deadline The keeper's deadline for this call (unix seconds).
    function harvest(address strategy, uint256 deadline) external;

    // ------------------------------------------------------------------ exits with a loss bound

    /// @notice ERC-4626 withdraw with a user-chosen maximum loss: strategies may be unwound (a range sold at the
    ///         market) and the shortfall against their valuation, up to `maxLossBps`, is the caller's.
    /// @param assets Assets whose shares are burnt; the receiver gets `assets` minus any realised loss.
    /// @param receiver Receiver of the assets.
    /// @param owner Owner of the shares.
    /// @param maxLossBps Largest loss accepted, in bps of `assets`.
    /// @return shares Shares burnt.
    function withdraw(uint256 assets, address receiver, address owner, uint256 maxLossBps)
        external
        returns (uint256 shares);

    /// @notice ERC-4626 redeem with a user-chosen maximum loss: strategies may be unwound, as in the withdraw overload.
    /// @param shares Shares to burn.
    /// @param receiver Receiver of the assets.
    /// @param owner Owner of the shares.
    /// @param maxLossBps Largest loss accepted, in bps of the shares' value.
    /// @return assets Assets actually paid to the receiver.
    function redeem(uint256 shares, address receiver, address owner, uint256 maxLossBps)
        external
        returns (uint256 assets);
}
