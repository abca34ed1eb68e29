package clientcache

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// Wait with a context that ends first leaves no goroutine behind (it once
// left one per call, blocked until the revalidations ended).
func TestBackgroundWaitLeavesNothingBehind(t *testing.T) {
	b := newBackground()
	_, done, ok := b.start(context.Background())
	if !ok {
		t.Fatal("a job could not start")
	}
	defer done()
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	before := runtime.NumGoroutine()
	for range 200 {
		if err := b.wait(ended); err == nil {
			t.Fatal("wait returned nil while a job runs")
		}
	}
	if after := runtime.NumGoroutine(); after > before+10 {
		t.Fatalf("goroutines: %d before 200 waits, %d after", before, after)
	}
}

// close cancels what runs past the grace period, and nothing starts after.
func TestBackgroundClose(t *testing.T) {
	b := newBackground()
	b.grace = 10 * time.Millisecond
	ctx, done, _ := b.start(context.Background())
	go func() {
		<-ctx.Done() // a revalidation stuck at the origin until cancelled
		done()
	}()
	if err := b.close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if ctx.Err() == nil {
		t.Fatal("the job's context was not cancelled")
	}
	if _, _, ok := b.start(context.Background()); ok {
		t.Fatal("a job started after close")
	}
	if err := b.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A job that ignores cancellation makes close report it, within its bound.
func TestBackgroundCloseReportsStuckWork(t *testing.T) {
	b := newBackground()
	b.grace, b.cancelled = 10*time.Millisecond, 10*time.Millisecond
	_, done, _ := b.start(context.Background())
	defer done()
	if err := b.close(); err != errBackgroundRunning {
		t.Fatalf("close = %v, want errBackgroundRunning", err)
	}
}
