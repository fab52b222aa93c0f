/**
 * The live runtime mode: the emergency stop that needs no redeploy. The stack creates an SSM String
 * parameter holding one of RUNTIME_MODES (initially the deployed `mode` setting); every function reads
 * it, cached for MODE_CACHE_SECONDS, and the value overrides `settings.mode`. Pure.
 *
 *  - auto:        read, decide, act, alert.
 *  - dry-run:     read, decide, alert "DRY RUN: would ...", change nothing.
 *  - notify-only: read, decide, every action becomes an alert, change nothing.
 *  - paused:      acknowledge events without reading SSM, change nothing, alert nothing; the sweep
 *                 sends one "paused" reminder a day (PAUSED_REMINDER_HOURS) so a pause is never forgotten.
 */
export const RUNTIME_MODES = ['auto', 'dry-run', 'notify-only', 'paused'] as const;
export type RuntimeMode = (typeof RUNTIME_MODES)[number];

/**
 * What an unreadable (deleted, access denied, throttled) or invalid parameter means. notify-only, not
 * paused: neither changes a node, and that is the safety that matters; notify-only keeps on-call told
 * about non-compliant nodes, while paused would silence the product because of a broken parameter.
 * The fallback itself is logged, counted (`ModeParameterFallbacks`) and alarmed to the ops topic.
 */
export const FALLBACK_MODE: RuntimeMode = 'notify-only';

/** How long a function reuses the value it read: a change takes effect within this (well under a minute). */
export const MODE_CACHE_SECONDS = 30;

/** A paused pipeline reminds the alert topic once per this many hours. */
export const PAUSED_REMINDER_HOURS = 24;

/** The metric counted each time a function falls back to FALLBACK_MODE (alarmed). */
export const MODE_FALLBACK_METRIC = 'ModeParameterFallbacks';

export type ModeReading = { mode: RuntimeMode; problem?: undefined } | { mode: RuntimeMode; problem: string };

export function isRuntimeMode(value: unknown): value is RuntimeMode {
  return typeof value === 'string' && (RUNTIME_MODES as readonly string[]).includes(value);
}

/**
 * The mode a parameter value stands for. Surrounding white space is forgiven (a value pasted with a
 * newline); anything else that is not exactly one of RUNTIME_MODES is a problem and means FALLBACK_MODE.
 */
export function resolveRuntimeMode(value: unknown): ModeReading {
  const text = typeof value === 'string' ? value.trim() : value;
  if (isRuntimeMode(text)) return { mode: text };
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : String(value);
  return { mode: FALLBACK_MODE, problem: `invalid mode ${shown} (allowed: ${RUNTIME_MODES.join(' | ')})` };
}

/** The same settings with the live mode in place of the deployed one (the policy reads `settings.mode`). */
export function withRuntimeMode<S extends { mode: RuntimeMode }>(settings: S, mode: RuntimeMode): S {
  return settings.mode === mode ? settings : { ...settings, mode };
}

/** Whether a mode may send commands (SendCommand, StartAssociationsOnce). */
export function modeMayAct(mode: RuntimeMode): boolean {
  return mode === 'auto';
}

/** Whether a mode may send alerts to on-call (everything but paused). */
export function modeMayAlert(mode: RuntimeMode): boolean {
  return mode !== 'paused';
}
