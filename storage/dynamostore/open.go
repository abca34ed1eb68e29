package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/clientcache/clientcache/storage"
)

// New returns the Backend of the cache table opts.CacheName, reached through
// the caller's client, which the Backend never closes or reconfigures. It
// checks that the service answers (within Options.ConnectTimeout), creates
// the table when it is missing and Options.CreateTable allows, and enables
// Time to Live where it can. When the service cannot be reached it returns,
// as [Open] does, an error wrapping [storage.ErrUnavailable] together with a
// Lazy Backend. The Backend's Timeout is Options.Timeout ([DefaultTimeout]
// by default).
func New(ctx context.Context, client *dynamodb.Client, opts *Options) (*storage.Backend, error) {
	if client == nil {
		return nil, errors.New("dynamostore: New needs a *dynamodb.Client")
	}
	r, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	return openOrLazy(ctx, r.timeout, func(ctx context.Context) (*storage.Backend, error) {
		return newBackend(ctx, client, opts, nil)
	})
}

// Open returns the Backend of the cache table opts.CacheName, reached through
// a DynamoDB client of its own built from cfg (its region, credentials, endpoint,
// retries). When cfg's HTTP client is the SDK's default one, Open uses a copy
// of it that gives up on a response after Options.RequestTimeout, and Close
// releases its idle connections. Then it behaves as New. The Backend's
// Timeout is Options.Timeout ([DefaultTimeout] by default).
//
// When the service cannot be reached (the connection is refused, reset or
// times out, the host name does not resolve, no answer comes within
// Options.ConnectTimeout or before ctx's deadline, or the service answers
// that it cannot serve for now: an HTTP 5xx status, throttling), the error
// wraps [storage.ErrUnavailable] and Open returns it together with a non-nil
// Backend made by [storage.Lazy]. That Backend holds nothing (no client, no
// goroutine) until it is used; used, it opens the table in the background,
// as Open does, and fails every operation at once with an error wrapping
// ErrUnavailable until the service answers, then uses the store. A caller
// that wants to start while the service is down keeps it (and closes it); a
// caller that treats every error as fatal ignores it, and need not close
// it. Any other error is a mistake to fix, not an outage: invalid Options,
// credentials that cannot be obtained or that the service rejects
// (UnrecognizedClientException, InvalidSignatureException), a role without
// permission (AccessDeniedException), a table whose key schema is not this
// package's, a missing table with CreateTable false. It does not wrap
// ErrUnavailable, and the Backend is nil.
func Open(ctx context.Context, cfg aws.Config, opts *Options) (*storage.Backend, error) {
	r, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	return openOrLazy(ctx, r.timeout, func(ctx context.Context) (*storage.Backend, error) {
		return openConfig(ctx, cfg, opts, r)
	})
}

// openOrLazy runs open, which never returns a Lazy Backend itself. When
// open fails because the service cannot be reached, openOrLazy returns its
// error with a Lazy Backend that runs open again once it is used.
func openOrLazy(ctx context.Context, timeout time.Duration, open func(ctx context.Context) (*storage.Backend, error)) (*storage.Backend, error) {
	b, err := open(ctx)
	if err != nil && errors.Is(err, storage.ErrUnavailable) {
		return storage.Lazy(timeout, open), err
	}
	return b, err
}

// openConfig is Open without the Lazy Backend.
func openConfig(ctx context.Context, cfg aws.Config, opts *Options, r resolved) (*storage.Backend, error) {
	var closeIdle func()
	var httpClient aws.HTTPClient = cfg.HTTPClient
	if bc, ok := cfg.HTTPClient.(*awshttp.BuildableClient); ok || cfg.HTTPClient == nil {
		if bc == nil {
			bc = awshttp.NewBuildableClient()
		}
		tr := bc.GetTransport() // a copy: what cfg's client would use
		if tr.ResponseHeaderTimeout == 0 {
			tr.ResponseHeaderTimeout = r.requestTimeout
		}
		httpClient = &http.Client{
			Transport: tr,
			Timeout:   bc.GetTimeout(),
			// The SDK's own client does not follow redirects either.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		closeIdle = tr.CloseIdleConnections
	}
	client := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		o.HTTPClient = httpClient
		// DynamoDB Local and dynalite send no CRC32 on error responses; the
		// check would only log warnings there. TLS protects the payload.
		o.DisableValidateResponseChecksum = true
	})
	b, err := newBackend(ctx, client, opts, closeIdle)
	if err != nil && closeIdle != nil {
		closeIdle()
	}
	return b, err
}

// newBackend builds the two stores over client and sets the table up. An
// error that means the service could not be reached wraps
// storage.ErrUnavailable.
func newBackend(ctx context.Context, client *dynamodb.Client, opts *Options, closeIdle func()) (*storage.Backend, error) {
	r, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	t := &table{
		client:    client,
		name:      r.table,
		endpoint:  endpointOf(client),
		create:    r.create,
		log:       r.log,
		closeIdle: closeIdle,
	}
	if err := context.Cause(ctx); err != nil {
		return nil, markUnavailable(ctx, fmt.Errorf("dynamostore: opening table %q at %s: %w", t.name, t.endpoint, err))
	}
	if err := t.probe(ctx, r.connectTimeout); err != nil {
		return nil, markUnavailable(ctx, err)
	}
	if err := t.ensure(ctx); err != nil {
		return nil, markUnavailable(ctx, fmt.Errorf("dynamostore: %w", err))
	}
	t.open.Store(2)
	return &storage.Backend{
		Responses: &store{t: t, ns: nsResponses},
		Redirects: &store{t: t, ns: nsRedirects},
		Timeout:   r.timeout,
	}, nil
}
