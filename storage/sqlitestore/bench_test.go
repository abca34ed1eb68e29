package sqlitestore

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// The store's own costs on top of the driver's (compare with the driver
// benchmarks in internal/driverbench):
//
//	go test -run '^$' -bench . -benchmem -benchtime 2000x -count 3

func benchRead(b *testing.B, size int) {
	ctx := b.Context() // cancellable, as a request's context is
	be, _ := openTemp(b, nil)
	v := bytes.Repeat([]byte{'x'}, size)
	const keys = 200
	for i := range keys {
		if err := be.Responses.Write(ctx, fmt.Sprintf("%064x", i), v); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(size))
	for i := 0; b.Loop(); i++ {
		got, err := be.Responses.Read(ctx, fmt.Sprintf("%064x", i%keys))
		if err != nil || len(got) != size {
			b.Fatalf("Read = (%d bytes, %v)", len(got), err)
		}
	}
}

func BenchmarkStoreRead2KB(b *testing.B)   { benchRead(b, 2<<10) }
func BenchmarkStoreRead100KB(b *testing.B) { benchRead(b, 100<<10) }

func BenchmarkStoreWrite2KB(b *testing.B) {
	ctx := b.Context()
	be, _ := openTemp(b, nil)
	s := be.Responses.(*store)
	v := bytes.Repeat([]byte{'x'}, 2<<10)
	exp := time.Now().Add(time.Hour)
	b.SetBytes(int64(len(v)))
	for i := 0; b.Loop(); i++ {
		if err := s.WriteWithExpiry(ctx, fmt.Sprintf("%064x", i%200), v, exp); err != nil {
			b.Fatal(err)
		}
	}
}
