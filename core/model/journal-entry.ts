/**
 * A journaled vault side effect.
 * - `import`: a key was (or is being) put into the vault before the commit that uses it;
 *   if the commit never happened, recovery destroys the key (compensation).
 * - `destroy`: a commit decided keys must go; recovery destroys them and runs `then` (completion).
 */
export interface JournalEntry {
  id: string;
  kind: 'import' | 'destroy';
  operation: string;
  instanceId: string | null;
  keyIds: string[];
  /** Follow-up applied after a destroy completes. */
  then: 'finish_lock' | null;
  /** open → done (committed / completed), or open → compensating → compensated (undone by recovery). */
  state: 'open' | 'done' | 'compensating' | 'compensated';
  createdAt: Date;
  updatedAt: Date;
}
