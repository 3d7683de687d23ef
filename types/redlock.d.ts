// The `redlock` package's types are not reachable through its "exports" map under NodeNext
// resolution; locks/node-redlock.ts types the module from its declaration file instead.
declare module 'redlock';
