// Package bench measures clientcache against its peer,
// github.com/gregjones/httpcache, in one run: a cache hit and a miss+store
// through each store at 2 KB and 100 KB bodies, and the raw store read of the
// same entry bytes, so that the acceptance ratios of docs/BENCHMARKS.md can be
// computed from a single `go test -bench` output.
//
// The package holds only tests and benchmarks; it is its own module so that
// the peer library and every store's driver stay out of clientcache's
// dependencies. Run it with run.sh, which prints the results table and the
// ratios (computed by cmd/ratios):
//
//	cd bench && ./run.sh
//
// Stores on servers run when their address is set: REDIS_ADDR (redisstore),
// MONGODB_URI (mongostore), DYNAMODB_ENDPOINT (dynamostore); otherwise their
// benchmarks skip and say which variable is unset.
package bench
