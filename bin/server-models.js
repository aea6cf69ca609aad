#!/usr/bin/env node
// The installable command: TypeScript through tsx's loader, then the command line in scripts/cli.ts.
import { register } from 'tsx/esm/api';

register();
await import('../scripts/cli.ts');
