/** Alerts (claimed in the ledger so each fingerprint goes out once per alertRepeatHours) and lifecycle events. */
import { causeFingerprint } from '../../domain/alerts/fingerprint';
import type { ActionOutcome } from '../../domain/alerts/types';
import type { LifecycleDetailType, LifecycleEvent } from '../../domain/lifecycle';
import type { CauseCode, Decision, Diagnosis } from '../../domain/types';
import type { TriageDependencies } from './types';

/** Alerts about `causes` if at least one of them has a fingerprint not alerted within alertRepeatHours. */
export async function alertCauses(
  deps: TriageDependencies,
  diagnosis: Diagnosis,
  decision: Decision,
  outcome: ActionOutcome,
  causes: readonly CauseCode[],
): Promise<boolean> {
  const { ledger, settings, clock } = deps;
  const id = diagnosis.instanceId;
  const now = clock.now();
  const claimed: Array<{ key: string; fingerprint: string }> = [];
  for (const cause of diagnosis.causes.filter((entry) => causes.includes(entry.code))) {
    const fingerprint = causeFingerprint(id, cause);
    if (await ledger.claimAlert(id, cause.code, fingerprint, now, settings.alertRepeatHours)) claimed.push({ key: cause.code, fingerprint });
  }
  if (claimed.length === 0) {
    deps.sink.count('AlertsSuppressed');
    return false;
  }
  try {
    await deps.notifier.notifyDiagnosis({ diagnosis, decision, outcome });
  } catch (error) {
    await Promise.all(claimed.map((entry) => ledger.forgetAlert(id, entry.key, entry.fingerprint)));
    throw error;
  }
  await ledger.markOpenCauses(id, causes);
  return true;
}

/** Act AND alert: the causes the action does not fix still reach on-call. */
export async function alertRemainingCauses(deps: TriageDependencies, diagnosis: Diagnosis, decision: Decision, outcome: ActionOutcome): Promise<void> {
  const remaining = diagnosis.causes.map((cause) => cause.code).filter((code) => !decision.causes.includes(code));
  if (remaining.length > 0) await alertCauses(deps, diagnosis, decision, outcome, remaining);
}

/** Sends one alert keyed `key` unless the same fingerprint went out within alertRepeatHours. */
export async function sendClaimed(deps: TriageDependencies, instanceId: string, key: string, fingerprint: string, send: () => Promise<unknown>): Promise<boolean> {
  const { ledger, settings, clock } = deps;
  if (!(await ledger.claimAlert(instanceId, key, fingerprint, clock.now(), settings.alertRepeatHours))) {
    deps.sink.count('AlertsSuppressed');
    return false;
  }
  try {
    await send();
    return true;
  } catch (error) {
    await ledger.forgetAlert(instanceId, key, fingerprint);
    throw error;
  }
}

export function lifecycleEvent(
  deps: TriageDependencies,
  detailType: LifecycleDetailType,
  diagnosis: Diagnosis,
  decision: Decision,
  reason: string,
  at: Date,
  commandId?: string,
): LifecycleEvent {
  const environment = deps.environment ?? {};
  return {
    detailType,
    time: at.toISOString(),
    detail: {
      instanceId: diagnosis.instanceId,
      action: decision.action,
      causes: decision.causes,
      ...(commandId ? { commandId } : {}),
      reason,
      ...(environment.account ? { account: environment.account } : {}),
      ...(environment.region ? { region: environment.region } : {}),
    },
  };
}
