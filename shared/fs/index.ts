/**
 * Files written so a reader (or a restarted process) never sees half of one.
 *
 *   writeFileAtomic('out/result.json', text);     // temp beside, fsync, rename, fsync the folder
 *   moveFileAtomic(partial, 'out/history.jsonl');
 */
export { writeFileAtomic, copyFileAtomic, moveFileAtomic } from './atomic-file';
