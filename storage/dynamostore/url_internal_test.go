package dynamostore

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	f, tr := false, true
	tests := []struct {
		url      string
		table    string
		endpoint string
		region   string
		create   *bool
		err      string // substring of the error; "" for none
	}{
		{url: "dynamodb://", table: ""},
		{url: "dynamodb:///", table: ""},
		{url: "dynamodb://my_cache.v2-a", table: "my_cache.v2-a"},
		{url: "dynamodb://MixedCase", table: "MixedCase"},
		{url: "dynamodb://t_1?region=eu-west-1", table: "t_1", region: "eu-west-1"},
		{url: "dynamodb://t_1?endpoint=http://127.0.0.1:8000&region=us-east-1", table: "t_1", endpoint: "http://127.0.0.1:8000", region: "us-east-1"},
		{url: "dynamodb://t_1?endpoint=http%3A%2F%2Flocalhost%3A8000", table: "t_1", endpoint: "http://localhost:8000"},
		{url: "dynamodb://t_1?create=false", table: "t_1", create: &f},
		{url: "dynamodb://t_1?create=1", table: "t_1", create: &tr},
		{url: "DynamoDB://t_1", table: "t_1"},
		{url: "dynamodb://t_1?create=maybe", err: "not a boolean"},
		{url: "dynamodb://t_1?table=x", err: `unknown parameter "table"`},
		{url: "dynamodb://t_1?region=a&region=b", err: "given 2 times"},
		{url: "dynamodb://user:secret@t_1", err: "credentials"},
		{url: "dynamodb://t_1:8000", err: "port"},
		{url: "dynamodb://t_1/extra", err: "path"},
		{url: "dynamodb://t_1#frag", err: "fragment"},
		{url: "dynamodb:t_1", err: "missing //"},
		{url: "dynamodb://ab", err: "table name"},
		{url: "redis://t_1", err: "not dynamodb"},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			u, err := url.Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			p, err := parseURL(u)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("parseURL(%q) error = %v, want one containing %q", tc.url, err, tc.err)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Fatalf("error %q shows the password", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseURL(%q): %v", tc.url, err)
			}
			if p.opts.CacheName != tc.table || p.endpoint != tc.endpoint || p.region != tc.region {
				t.Fatalf("parseURL(%q) = table %q endpoint %q region %q, want %q %q %q",
					tc.url, p.opts.CacheName, p.endpoint, p.region, tc.table, tc.endpoint, tc.region)
			}
			if (p.opts.CreateTable == nil) != (tc.create == nil) || (tc.create != nil && *p.opts.CreateTable != *tc.create) {
				t.Fatalf("parseURL(%q) CreateTable = %v, want %v", tc.url, p.opts.CreateTable, tc.create)
			}
		})
	}
}
