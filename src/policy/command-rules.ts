import { databaseRules } from "./database-rules.ts";
import { dockerRules } from "./docker-rules.ts";
import { filesystemRules } from "./filesystem-rules.ts";
import { generalRules } from "./general-rules.ts";
import { git } from "./git-rules.ts";
import { infraRules } from "./infra-rules.ts";
import { type CommandRule, destroys } from "./rule-helpers.ts";
import { wrapperRules } from "./wrapper-rules.ts";

/**
 * One rule per program, keyed by the program's base name. The tables live by domain
 * (files, git, infrastructure, containers, databases, wrappers, everything else); later tables win, so
 * a specific rule overrides a generic entry.
 */
const rules: ReadonlyMap<string, CommandRule> = new Map(
  Object.entries({
    ...generalRules,
    ...filesystemRules,
    git,
    ...infraRules,
    ...dockerRules,
    ...databaseRules,
    ...wrapperRules,
  }),
);

const formatsFilesystem = destroys("mkfs formats a filesystem, erasing it");

/** The rule for a program, or undefined when the table does not know it. */
export function findRule(program: string): CommandRule | undefined {
  // mkfs has one binary per filesystem (mkfs.ext4, mkfs.xfs, …).
  if (program === "mkfs" || program.startsWith("mkfs.")) return formatsFilesystem;
  return rules.get(program);
}
