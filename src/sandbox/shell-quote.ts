/** One argument for bash, quoted so nothing in it is expanded: `it's` becomes `'it'\''s'`. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
