//go:build !linux && !pcap

package capture

import (
	"errors"
	"runtime"
)

// OpenLive needs Linux AF_PACKET sockets in the default (pure Go) build;
// build with -tags pcap to capture through libpcap elsewhere.
func OpenLive(iface, filter string, opts LiveOptions) (Source, error) {
	return nil, errors.New("capture: live capture on " + runtime.GOOS + " needs the pcap build tag (libpcap)")
}
