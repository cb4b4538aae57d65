/** How much harm a command can do; ordered, so a configured threshold compares with `>=`. */
export const riskLevels = ["read", "write", "destructive"] as const;
export type RiskLevel = (typeof riskLevels)[number];

export interface RiskAssessment {
  level: RiskLevel;
  /** Why, in words a user reads in the thread: "rm -r removes a tree". */
  reasons: string[];
}

export function isAtLeast(level: RiskLevel, threshold: RiskLevel): boolean {
  return riskLevels.indexOf(level) >= riskLevels.indexOf(threshold);
}
