package dynamostore_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/dynamostore"
)

// TestFailedOpenHidesPassword opens dynamodb:// URLs, and endpoints, with a
// password that fail in every way: they do not parse, have a bad parameter
// or endpoint, or name a closed port. DynamoDB takes no password in its URL
// (the AWS credential chain signs requests), but an endpoint URL may hold
// one, for a proxy in front of it say.
func TestFailedOpenHidesPassword(t *testing.T) {
	const pw = "s3cr3tPW"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	endpoint := "http://user:" + pw + "@" + closed
	for _, tc := range []struct {
		url     string
		invalid bool   // a URL mistake, not an unreachable server
		want    string // in the message
	}{
		{"dynamodb://user:" + pw + "@host:port:bad/", true, "invalid port"},
		{"dynamodb://user:" + pw + "@t_1", true, "credentials"},
		{"dynamodb://t_1?endpoint=" + endpoint + "&bogus=1", true, "bogus"},
		{"dynamodb://t_1?endpoint=" + endpoint + "&create=maybe", true, "create"},
		{"dynamodb://t_1?" + endpoint, true, "unknown parameter"},
		{"dynamodb://ab?endpoint=" + endpoint, true, "table name"},
		{"dynamodb://t_1?endpoint=ftp://user:" + pw + "@" + closed, false, "not an http"},
		{"dynamodb://t_1?endpoint=http://user:" + pw + "@host:port:bad", false, "not an http"},
		{"dynamodb://t_1?endpoint=" + endpoint + "&region=us-east-1", false, closed},
		{"dynamodb://t_1?endpoint=" + strings.NewReplacer(":", "%3A", "/", "%2F", "@", "%40").Replace(endpoint), false, closed},
	} {
		t.Run(tc.url, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			b, err := storage.Open(ctx, tc.url)
			if err == nil {
				b.Close()
				t.Fatal("storage.Open succeeded")
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error %q shows the password", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
			if got := errors.Is(err, storage.ErrInvalidURL); got != tc.invalid {
				t.Errorf("error %q: errors.Is(ErrInvalidURL) = %v, want %v", err, got, tc.invalid)
			}
		})
	}

	// OpenEndpoint, directly.
	for _, ep := range []string{endpoint, "ftp://user:" + pw + "@" + closed, "http://user:" + pw + "@host:port:bad"} {
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		b, err := dynamostore.OpenEndpoint(ctx, ep, "us-east-1", &dynamostore.Options{ConnectTimeout: 2 * time.Second})
		cancel()
		if err == nil {
			b.Close()
			t.Fatalf("OpenEndpoint(%s) succeeded", storage.RedactURL(ep))
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("OpenEndpoint error %q shows the password", err)
		}
	}
}
