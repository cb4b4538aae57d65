import { describe, expect, it } from "vitest";
import { classifyCommand } from "../../src/policy/classify-command.ts";

/** A sandbox stand-in: the probe answers from a fixed set of paths and records each question. */
function createProbe(existing: string[]) {
  const asked: string[] = [];
  const fileExists = async (path: string) => {
    asked.push(path);
    return existing.includes(path);
  };
  return { asked, fileExists };
}

describe("classifyCommand with a file probe", () => {
  it("classifies true > existing.txt as destructive when the probe says it exists", async () => {
    const probe = createProbe(["existing.txt"]);
    const assessment = await classifyCommand("true > existing.txt", probe);
    expect(assessment).toEqual({
      level: "destructive",
      reasons: ["> overwrites an existing file (existing.txt)"],
    });
    expect(probe.asked).toEqual(["existing.txt"]);
  });

  it("classifies > to a new file as a write that creates it", async () => {
    const assessment = await classifyCommand("echo hi > new.txt", createProbe([]));
    expect(assessment).toEqual({ level: "write", reasons: ["> creates new.txt"] });
  });

  it("classifies >| and &> over an existing file as destructive", async () => {
    const probe = createProbe(["out.log"]);
    expect((await classifyCommand("make >| out.log", probe)).level).toBe("destructive");
    expect((await classifyCommand("make &> out.log", probe)).level).toBe("destructive");
  });

  it("keeps >> a write even when the file exists", async () => {
    const assessment = await classifyCommand("echo hi >> existing.txt", createProbe(["existing.txt"]));
    expect(assessment.level).toBe("write");
  });

  it("never asks the probe about /dev/null or fd duplications", async () => {
    const probe = createProbe([]);
    const assessment = await classifyCommand("ls > /dev/null 2>&1", probe);
    expect(assessment.level).toBe("read");
    expect(probe.asked).toEqual([]);
  });

  it("classifies mv onto an existing file as destructive", async () => {
    const assessment = await classifyCommand("mv new.conf app.conf", createProbe(["app.conf"]));
    expect(assessment.level).toBe("destructive");
    expect(assessment.reasons).toContain("mv replaces an existing file (app.conf)");
  });

  it("classifies mv into a directory as a write", async () => {
    const assessment = await classifyCommand("mv a.txt archive/", createProbe(["archive/"]));
    expect(assessment.level).toBe("write");
  });

  it("classifies tee over an existing file as destructive but tee -a as a write", async () => {
    const probe = createProbe(["app.conf"]);
    expect((await classifyCommand("echo x | tee app.conf", probe)).level).toBe("destructive");
    expect((await classifyCommand("echo x | tee -a app.conf", probe)).level).toBe("write");
  });

  it("checks redirects inside nested scripts too", async () => {
    const assessment = await classifyCommand("bash -c 'date > existing.txt'", createProbe(["existing.txt"]));
    expect(assessment.level).toBe("destructive");
  });

  it("treats a failing probe as a file that exists instead of throwing", async () => {
    const fileExists = async () => {
      throw new Error("sandbox unreachable");
    };
    const assessment = await classifyCommand("true > existing.txt", { fileExists });
    expect(assessment.level).toBe("destructive");
  });

  it("classifies a redirect to a path known only at run time as a write", async () => {
    const probe = createProbe([]);
    const assessment = await classifyCommand('echo x > "$OUT"', probe);
    expect(assessment.level).toBe("write");
    expect(probe.asked).toEqual([]);
  });
});
