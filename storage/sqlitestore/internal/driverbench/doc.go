// Package driverbench compares the two pure-Go SQLite drivers that
// sqlitestore could use, with the store's settings and statements: point reads
// of 2 KB and 100 KB values by primary key, and upserts.
//
// It is a module of its own so that sqlitestore depends on one driver only.
// Run it from this directory:
//
//	go test -run '^$' -bench . -benchmem -benchtime 2000x -count 3
//
// The results and the choice they led to are in docs/BENCHMARKS.md.
package driverbench
