package cachekey

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"strings"
	"sync"
)

// DigestPrefix starts every keyed digest the cache stores in place of a
// credential.
const DigestPrefix = "hmac-sha256:"

// MAC computes keyed digests (HMAC-SHA256) of credential values, under a
// secret that is not derivable from what the digests are stored with: equal
// credentials give equal digests, and a digest tells nothing about its
// credential to whoever lacks the secret. It is safe for concurrent use.
type MAC struct {
	pool sync.Pool // of hash.Hash keyed with the secret
}

// MinSecretSize is the least number of bytes NewMAC accepts.
const MinSecretSize = 16

// NewMAC returns a MAC keyed with secret, which it copies.
func NewMAC(secret []byte) *MAC {
	key := append([]byte(nil), secret...)
	m := &MAC{}
	m.pool.New = func() any { return hmac.New(sha256.New, key) }
	return m
}

// Digest returns the keyed digest of a kind of value ("header", "param",
// ...) and its parts, each length-prefixed so that no two lists of parts
// share a digest.
func (m *MAC) Digest(kind string, parts ...string) string {
	h := m.pool.Get().(hash.Hash)
	defer m.pool.Put(h)
	h.Reset()
	var n [binary.MaxVarintLen64]byte
	for _, p := range append([]string{kind}, parts...) {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(p)))])
		h.Write([]byte(p))
	}
	var sum [sha256.Size]byte
	var b strings.Builder
	b.Grow(len(DigestPrefix) + base64.RawURLEncoding.EncodedLen(len(sum)))
	b.WriteString(DigestPrefix)
	enc := base64.NewEncoder(base64.RawURLEncoding, &b)
	enc.Write(h.Sum(sum[:0]))
	enc.Close()
	return b.String()
}

// Equal compares two digests in constant time, so that timing tells nothing
// about how much of a guess was right.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
