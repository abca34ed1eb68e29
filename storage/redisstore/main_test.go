package redisstore_test

import (
	"context"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

// quietLogger drops go-redis's log lines: the outage tests make it report
// every failed dial on standard error.
type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	if os.Getenv("REDISSTORE_TEST_LOG") == "" {
		redis.SetLogger(quietLogger{})
	}
	os.Exit(m.Run())
}
