#!/usr/bin/env node
// `npx exposed-key-responder <command>`: the operator's command line (cli/). The project runs its
// TypeScript with tsx, as `npm start` does; this launcher registers it and loads the entry.
'use strict';
require('tsx/cjs');
require('../cli/index.ts');
