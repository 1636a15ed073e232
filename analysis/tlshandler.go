package analysis

import (
	"net/netip"

	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/tlsdec"
)

// NewTLSHandler returns the TLS stage of Run's pipeline on its own: TCP
// connections carrying TLS are decrypted with kl and their application data
// goes to next as if it were the TCP payload; other traffic passes through.
// decrypting, when set, is told once per connection whose records decrypt.
// Findings are not reported (Run reports them). export uses it to write the
// decrypted signalling of RTSPS/SIPS in plain TCP.
func NewTLSHandler(next capture.Handler, kl *tlsdec.KeyLog, decrypting func(client, server netip.AddrPort)) capture.Handler {
	r := newTLSRouter(next, kl, func(Kind, uint64, string) {})
	r.seen = decrypting
	return r
}
