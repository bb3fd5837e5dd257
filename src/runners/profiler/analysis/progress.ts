import type { AnalysisProgress } from './types';

/** Reports progress at most every `intervalMs`, plus the first and the last report. */
export function throttledProgress(report: ((p: AnalysisProgress) => void) | undefined, intervalMs = 250) {
  let last = 0;
  return (fraction: number, message: string, force = false) => {
    if (!report) return;
    const now = Date.now();
    if (!force && now - last < intervalMs) return;
    last = now;
    report({ fraction: Math.max(0, Math.min(1, fraction)), message });
  };
}

export type Progress = ReturnType<typeof throttledProgress>;
