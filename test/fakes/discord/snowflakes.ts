/**
 * Discord ids: 64-bit snowflakes, milliseconds since the Discord epoch (2015) in the top 42
 * bits, then worker, process and an increment. Real-shaped ids matter: discord.js derives
 * timestamps from them, and they sort by creation.
 */
const discordEpoch = 1_420_070_400_000n;

export function createSnowflakes(): () => string {
  let last = 0n;
  return () => {
    const now = (BigInt(Date.now()) - discordEpoch) << 22n;
    last = now > last ? now : last + 1n;
    return last.toString();
  };
}

export function snowflakeTime(id: string): Date {
  return new Date(Number((BigInt(id) >> 22n) + discordEpoch));
}
