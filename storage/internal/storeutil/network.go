package storeutil

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
)

// NetworkFailure reports whether err says that a server could not be
// reached or did not answer: a deadline passed, the connection was refused,
// reset or cut, the host or network is unreachable, the name did not
// resolve, or a dial, read or write failed. The stores on servers call it
// after their drivers' own checks, to tell an outage from a mistake. A TLS
// alert ("local error", "remote error") is not one: it is a mistake in the
// TLS settings.
func NetworkFailure(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) ||
		errors.Is(err, syscall.ETIMEDOUT) {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		switch opErr.Op {
		case "dial", "read", "write":
			return true
		}
		return false
	}
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}
