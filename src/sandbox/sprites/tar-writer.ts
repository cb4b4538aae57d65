/**
 * A minimal POSIX tar (ustar + pax) writer: just enough to ship seed trees to a Sprite as one
 * archive. Our own rather than the host's `tar` because member names must be remapped per
 * source (`from` on the host becomes `to` in the workspace), which GNU tar's `--transform` and
 * bsdtar's `-s` spell differently and apply to every member at once.
 */

export type TarEntry =
  | { type: "directory"; name: string; mode: number; mtime: number }
  | { type: "file"; name: string; mode: number; mtime: number; content: Uint8Array }
  | { type: "symlink"; name: string; mode: number; mtime: number; target: string }
  /** `target` is the member name of the first path with this inode. */
  | { type: "hardlink"; name: string; mode: number; mtime: number; target: string }
  | { type: "fifo"; name: string; mode: number; mtime: number };

const BLOCK = 512;
const NAME_BYTES = 100;
/** The ustar size field holds 11 octal digits; beyond that the size travels in a pax record. */
const MAX_USTAR_SIZE = 0o77777777777;

const TYPEFLAGS: Record<TarEntry["type"], string> = {
  file: "0",
  hardlink: "1",
  symlink: "2",
  fifo: "6",
  directory: "5",
};

/** The two zero blocks that end an archive. */
export const TAR_END: Uint8Array = new Uint8Array(BLOCK * 2);

/** One member: a pax header when a name or size does not fit ustar, the header, data, padding. */
export function tarEntry(entry: TarEntry): Uint8Array[] {
  const name = entry.type === "directory" && !entry.name.endsWith("/") ? `${entry.name}/` : entry.name;
  const linkname = entry.type === "symlink" || entry.type === "hardlink" ? entry.target : "";
  const content = entry.type === "file" ? entry.content : new Uint8Array(0);
  const blocks: Uint8Array[] = [];

  const pax: [string, string][] = [];
  if (Buffer.byteLength(name) > NAME_BYTES) pax.push(["path", name]);
  if (Buffer.byteLength(linkname) > NAME_BYTES) pax.push(["linkpath", linkname]);
  if (content.length > MAX_USTAR_SIZE) pax.push(["size", String(content.length)]);
  if (pax.length > 0) {
    const records = Buffer.from(pax.map(([key, value]) => paxRecord(key, value)).join(""), "utf8");
    blocks.push(
      header({ name: "PaxHeader", mode: 0o644, size: records.length, mtime: entry.mtime, typeflag: "x" }),
      records,
      padding(records.length),
    );
  }
  blocks.push(
    header({
      name,
      mode: entry.mode,
      size: content.length > MAX_USTAR_SIZE ? 0 : content.length,
      mtime: entry.mtime,
      typeflag: TYPEFLAGS[entry.type],
      linkname,
    }),
  );
  if (content.length > 0) blocks.push(content, padding(content.length));
  return blocks;
}

interface HeaderFields {
  name: string;
  mode: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname?: string;
}

function header(fields: HeaderFields): Uint8Array {
  const block = Buffer.alloc(BLOCK);
  // Overlong names are cut here; the pax record before this header carries them whole.
  Buffer.from(fields.name, "utf8").copy(block, 0, 0, NAME_BYTES);
  octal(block, 100, 8, fields.mode & 0o7777);
  octal(block, 108, 8, 0); // uid and gid: the extracting user owns what it unpacks
  octal(block, 116, 8, 0);
  octal(block, 124, 12, fields.size);
  octal(block, 136, 12, Math.max(0, Math.floor(fields.mtime)));
  block.fill(0x20, 148, 156); // the checksum is summed with its own field as spaces
  block.write(fields.typeflag, 156, "latin1");
  Buffer.from(fields.linkname ?? "", "utf8").copy(block, 157, 0, NAME_BYTES);
  block.write("ustar\0", 257, "latin1");
  block.write("00", 263, "latin1");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return block;
}

function octal(block: Buffer, offset: number, width: number, value: number): void {
  block.write(`${value.toString(8).padStart(width - 1, "0")}\0`, offset, "latin1");
}

/** `<length> <key>=<value>\n`, where the length counts its own digits too. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyBytes = Buffer.byteLength(body);
  let digits = String(bodyBytes).length;
  if (String(bodyBytes + digits).length > digits) digits += 1;
  return `${bodyBytes + digits}${body}`;
}

function padding(size: number): Uint8Array {
  return new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK);
}
