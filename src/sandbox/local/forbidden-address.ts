import { BlockList, isIPv4, isIPv6 } from "node:net";

/**
 * Where a sandbox must never reach through the egress proxy, whatever name it used: the host
 * itself (Redis on 127.0.0.1), the link-local cloud metadata service (169.254.169.254), and the
 * private networks the bot's machine sits in. Ranges, not names, because names can lie.
 */
const forbidden = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this network"; 0.0.0.0 reaches the host on Linux
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT, used for internal networks by some clouds
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, with the metadata service
  ["172.16.0.0", 12],
  ["192.0.0.0", 24], // IETF protocol assignments (some are host-local)
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking; often internal
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved and broadcast
] as const) {
  forbidden.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7], // unique local (ULA), e.g. AWS's fd00:ec2::254 metadata
  ["fe80::", 10], // link-local
  ["fec0::", 10], // deprecated site-local
  ["ff00::", 8], // multicast
] as const) {
  forbidden.addSubnet(network, prefix, "ipv6");
}

/** IPv6 forms that carry an IPv4 address the kernel may route to: mapped, NAT64, 6to4. */
function embeddedIPv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const groups = expandIPv6(lower);
  if (!groups) return undefined;
  const toIPv4 = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  const isMapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  const isNat64 = groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0);
  if (isMapped || isNat64) return toIPv4(groups[6] ?? 0, groups[7] ?? 0);
  if (groups[0] === 0x2002) return toIPv4(groups[1] ?? 0, groups[2] ?? 0);
  return undefined;
}

function expandIPv6(address: string): number[] | undefined {
  if (address.includes(".")) return undefined;
  const [head = "", tail] = address.split("::");
  const parse = (part: string) =>
    part === "" ? [] : part.split(":").map((group) => Number.parseInt(group, 16));
  const high = parse(head);
  const low = tail === undefined ? [] : parse(tail);
  const fill = tail === undefined ? 0 : 8 - high.length - low.length;
  const groups = [...high, ...new Array<number>(Math.max(fill, 0)).fill(0), ...low];
  return groups.length === 8 && groups.every((group) => Number.isFinite(group)) ? groups : undefined;
}

/** True for anything that is not a plain public unicast address, including what fails to parse. */
export function isForbiddenAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (isIPv4(bare)) return forbidden.check(bare, "ipv4");
  if (!isIPv6(bare)) return true;
  const inner = embeddedIPv4(bare);
  if (inner !== undefined) return isForbiddenAddress(inner);
  return forbidden.check(bare, "ipv6");
}
