package mikey

import (
	"crypto/sha256"
	"fmt"
	"hash"
)

func newSHA256() hash.Hash { return sha256.New() }

func fmtAll(s Secret) string {
	return fmt.Sprintf("%v %x %X %s %q %#v %d", s, s, s, s, s, s, s)
}
