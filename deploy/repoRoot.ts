/**
 * The repository root, with a trailing separator: the commands run from the checkout (tsx), and
 * read the template, the policy templates and the handler's sources from it.
 */
import { fileURLToPath } from 'node:url';

/** Repository root (this file lives in `deploy/`). */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
