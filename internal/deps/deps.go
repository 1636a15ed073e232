//go:build tools

// Package deps pins the modules the project builds on so that go mod tidy keeps them while packages are being written.
package deps

import (
	_ "github.com/gdamore/tcell/v2"
	_ "github.com/gopacket/gopacket"
	_ "github.com/gopacket/gopacket/ip4defrag"
	_ "github.com/gopacket/gopacket/layers"
	_ "github.com/gopacket/gopacket/pcapgo"
	_ "github.com/gopacket/gopacket/reassembly"
	_ "github.com/pion/rtp"
	_ "github.com/pion/sdp/v3"
	_ "github.com/pion/srtp/v3"
	_ "github.com/rivo/tview"
	_ "golang.org/x/crypto/chacha20poly1305"
	_ "golang.org/x/crypto/cryptobyte"
	_ "golang.org/x/crypto/hkdf"
	_ "golang.org/x/net/bpf"
	_ "golang.org/x/term"
)
