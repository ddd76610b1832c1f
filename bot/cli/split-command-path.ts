/** Splits the command path from options: path words come first; --json, --tenant and --token-file may precede them. */
export function splitCommandPath(argv: string[]): { words: string[]; rest: string[] } {
  const words: string[] = [];
  const rest: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json' || a.startsWith('--tenant=') || a.startsWith('--token-file=')) rest.push(a);
    else if (a === '--tenant' || a === '--token-file') rest.push(a, argv[++i] ?? '');
    else if (a.startsWith('-')) break;
    else words.push(a);
  }
  return { words, rest: [...rest, ...argv.slice(i)] };
}
