package scenario

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"

	msrtp "github.com/mikeyscope/mikeyscope/srtp"
)

// Sender produces the SRTP and SRTCP packets of one RTP stream, protected by
// github.com/pion/srtp (RFC 3711), an implementation independent of the
// project's own srtp package; or, for the transforms pion/srtp lacks
// (StreamParams.Policy: AES-192-CM, AES-f8), by the project's srtp sealer,
// whose output tests must then check against another implementation. It
// reuses its buffers: each returned packet is valid until the next call.
type Sender struct {
	ctx *srtp.Context
	// own and ownSt seal with the project's srtp package instead of ctx.
	own     *msrtp.Context
	ownSt   *msrtp.Stream
	hdr     rtp.Header
	plain   []byte
	out     []byte
	rtcpOut []byte
	packets uint32
	octets  uint32
	cname   string
	ssrc    uint32
	tsStep  uint32
}

// StreamParams describe an RTP stream.
type StreamParams struct {
	SSRC        uint32
	PayloadType uint8
	FirstSeq    uint16
	FirstTS     uint32
	TSStep      uint32 // RTP timestamp increment per packet
	CNAME       string // SDES CNAME in sender reports
	Profile     srtp.ProtectionProfile
	Key, Salt   []byte // SRTP master key and salt
	MKI         []byte // when non-empty, carried in every packet (RFC 3711 §3.1)
	ROC         uint32 // rollover counter of the first packet (RFC 3711 §3.3.1)
	// NoSRTCPEncryption sends SRTCP unencrypted (E flag 0, still
	// authenticated), as SDES UNENCRYPTED_SRTCP asks.
	NoSRTCPEncryption bool
	// Policy, when set, protects with the project's srtp package under
	// this policy instead of pion/srtp with Profile: for the transforms
	// pion/srtp does not implement (AES_192_CM, F8_128). MKILen and
	// SRTCPEncrypt follow MKI and NoSRTCPEncryption.
	Policy *msrtp.Policy
}

// NewSender returns a Sender for the stream.
func NewSender(p StreamParams) (*Sender, error) {
	if p.Policy != nil {
		return newOwnSender(p)
	}
	var opts []srtp.ContextOption
	if len(p.MKI) > 0 {
		opts = append(opts, srtp.MasterKeyIndicator(p.MKI))
	}
	if p.NoSRTCPEncryption {
		opts = append(opts, srtp.SRTCPNoEncryption())
	}
	ctx, err := srtp.CreateContext(p.Key, p.Salt, p.Profile, opts...)
	if err != nil {
		return nil, fmt.Errorf("scenario: SRTP context for SSRC %#08x: %w", p.SSRC, err)
	}
	if p.ROC != 0 {
		ctx.SetROC(p.SSRC, p.ROC)
	}
	snd := newSenderOf(p)
	snd.ctx = ctx
	return snd, nil
}

// newOwnSender is a Sender sealing with the project's srtp package.
func newOwnSender(p StreamParams) (*Sender, error) {
	pol := *p.Policy
	pol.MKILen = len(p.MKI)
	pol.SRTCPEncrypt = !p.NoSRTCPEncryption
	ctx, err := msrtp.NewContext(pol, msrtp.MasterKey{Key: p.Key, Salt: p.Salt, MKI: p.MKI})
	if err != nil {
		return nil, fmt.Errorf("scenario: SRTP context for SSRC %#08x: %w", p.SSRC, err)
	}
	snd := newSenderOf(p)
	snd.own, snd.ownSt = ctx, msrtp.NewStreamSSRC(p.SSRC, p.ROC)
	return snd, nil
}

// newSenderOf is a Sender of the stream's header fields and buffers,
// before its SRTP implementation is set.
func newSenderOf(p StreamParams) *Sender {
	return &Sender{
		hdr: rtp.Header{Version: 2, PayloadType: p.PayloadType, SequenceNumber: p.FirstSeq,
			Timestamp: p.FirstTS, SSRC: p.SSRC},
		plain:   make([]byte, 0, 1600),
		out:     make([]byte, 0, 1700),
		rtcpOut: make([]byte, 0, 200),
		cname:   p.CNAME,
		ssrc:    p.SSRC,
		tsStep:  p.TSStep,
	}
}

// encryptRTP and encryptRTCP protect with whichever implementation the
// sender uses.
func (s *Sender) encryptRTP(dst, pkt []byte) ([]byte, error) {
	if s.own != nil {
		return s.own.EncryptRTP(dst, pkt, s.ownSt)
	}
	return s.ctx.EncryptRTP(dst, pkt, nil)
}

func (s *Sender) encryptRTCP(dst, pkt []byte) ([]byte, error) {
	if s.own != nil {
		return s.own.EncryptRTCP(dst, pkt, s.ownSt)
	}
	return s.ctx.EncryptRTCP(dst, pkt, nil)
}

// SSRC returns the SSRC the next packet will carry.
func (s *Sender) SSRC() uint32 { return s.ssrc }

// SetSSRC makes the sender continue with another SSRC under the same master
// key (a sender that changed its SSRC mid-call, RFC 3550 §8.2): the new SSRC
// starts its own rollover counter and SRTCP index (RFC 3711 §3.2.3), its
// packet and octet counts start again; sequence numbers and timestamps
// continue.
func (s *Sender) SetSSRC(ssrc uint32) {
	s.ssrc, s.hdr.SSRC = ssrc, ssrc
	s.packets, s.octets = 0, 0
	if s.own != nil {
		s.ownSt = msrtp.NewStreamSSRC(ssrc, 0)
	}
}

// Seq returns the sequence number the next packet will carry.
func (s *Sender) Seq() uint16 { return s.hdr.SequenceNumber }

// Timestamp returns the RTP timestamp the next packet will carry.
func (s *Sender) Timestamp() uint32 { return s.hdr.Timestamp }

// Packets returns the number of RTP packets sent.
func (s *Sender) Packets() uint32 { return s.packets }

// Next protects one RTP packet carrying payload with the current sequence
// number and timestamp, then advances them (sequence by one, timestamp by
// TSStep unless sameTS). marker sets the RTP M bit.
func (s *Sender) Next(payload []byte, marker, sameTS bool) ([]byte, error) {
	s.hdr.Marker = marker
	n, err := s.hdr.MarshalTo(s.plain[:cap(s.plain)])
	if err != nil {
		return nil, fmt.Errorf("scenario: RTP header SSRC %#08x: %w", s.ssrc, err)
	}
	s.plain = append(s.plain[:n], payload...)
	s.out, err = s.encryptRTP(s.out[:0], s.plain)
	if err != nil {
		return nil, fmt.Errorf("scenario: SRTP protect SSRC %#08x seq %d: %w", s.ssrc, s.hdr.SequenceNumber, err)
	}
	s.packets++
	s.octets += uint32(len(payload))
	s.hdr.SequenceNumber++
	if !sameTS {
		s.hdr.Timestamp += s.tsStep
	}
	return s.out, nil
}

// SenderReport returns an SRTCP compound packet: a sender report (RFC 3550
// §6.4.1) for wall-clock time now and the next RTP timestamp, followed by an
// SDES CNAME (RFC 3550 §6.5), protected per RFC 3711 §3.4.
func (s *Sender) SenderReport(now time.Time) ([]byte, error) {
	p := AppendSenderReport(s.plain[:0], s.ssrc, now, s.hdr.Timestamp, s.packets, s.octets, s.cname)
	s.plain = p
	var err error
	s.rtcpOut, err = s.encryptRTCP(s.rtcpOut[:0], p)
	if err != nil {
		return nil, fmt.Errorf("scenario: SRTCP protect SSRC %#08x: %w", s.ssrc, err)
	}
	return s.rtcpOut, nil
}

// ReceiverReport returns an SRTCP compound packet: a receiver report (RFC
// 3550 §6.4.2) from the stream's SSRC with one report block about source
// (cumulative loss 0, extended highest sequence number highest), followed
// by an SDES CNAME, protected per RFC 3711 §3.4 with the stream's keys.
func (s *Sender) ReceiverReport(source, highest uint32) ([]byte, error) {
	p := AppendReceiverReport(s.plain[:0], s.ssrc, source, highest, s.cname)
	s.plain = p
	var err error
	s.rtcpOut, err = s.encryptRTCP(s.rtcpOut[:0], p)
	if err != nil {
		return nil, fmt.Errorf("scenario: SRTCP protect RR SSRC %#08x: %w", s.ssrc, err)
	}
	return s.rtcpOut, nil
}

// AppendReceiverReport appends an RTCP compound packet of an RR with one
// report block and an SDES chunk with one CNAME item.
func AppendReceiverReport(dst []byte, ssrc, source, highest uint32, cname string) []byte {
	var rr [32]byte
	rr[0] = 0x81
	rr[1] = 201
	binary.BigEndian.PutUint16(rr[2:], 7)
	binary.BigEndian.PutUint32(rr[4:], ssrc)
	binary.BigEndian.PutUint32(rr[8:], source)
	binary.BigEndian.PutUint32(rr[16:], highest)
	dst = append(dst, rr[:]...)
	return appendSDES(dst, ssrc, cname)
}

// NTP converts t to the 64-bit NTP timestamp format (RFC 5905 §6).
func NTP(t time.Time) uint64 {
	const ntpEpochOffset = 2208988800
	sec := uint64(t.Unix() + ntpEpochOffset)
	frac := uint64(t.Nanosecond()) << 32 / 1e9
	return sec<<32 | frac
}

// AppendSenderReport appends an RTCP compound packet of an SR with no report
// blocks and an SDES chunk with one CNAME item.
func AppendSenderReport(dst []byte, ssrc uint32, now time.Time, rtpTS, packets, octets uint32, cname string) []byte {
	var sr [28]byte
	sr[0] = 0x80
	sr[1] = 200
	binary.BigEndian.PutUint16(sr[2:], 6)
	binary.BigEndian.PutUint32(sr[4:], ssrc)
	binary.BigEndian.PutUint64(sr[8:], NTP(now))
	binary.BigEndian.PutUint32(sr[16:], rtpTS)
	binary.BigEndian.PutUint32(sr[20:], packets)
	binary.BigEndian.PutUint32(sr[24:], octets)
	dst = append(dst, sr[:]...)
	return appendSDES(dst, ssrc, cname)
}

// appendSDES appends an SDES packet with one chunk: ssrc and its CNAME.
func appendSDES(dst []byte, ssrc uint32, cname string) []byte {
	// SDES: header, SSRC, CNAME item, null terminator, padding to 32 bits.
	itemLen := 2 + len(cname)
	chunk := 4 + itemLen + 1
	chunk = (chunk + 3) &^ 3
	start := len(dst)
	dst = append(dst, 0x81, 202, 0, 0)
	binary.BigEndian.PutUint16(dst[start+2:], uint16(chunk/4))
	dst = binary.BigEndian.AppendUint32(dst, ssrc)
	dst = append(dst, 1, byte(len(cname)))
	dst = append(dst, cname...)
	for n := 4 + itemLen; n < chunk; n++ {
		dst = append(dst, 0)
	}
	return dst
}

// Rekey switches the stream to a new master key and salt identified by mki
// (RFC 3711 §8.1: the MKI tells the receiver which master key protects a
// packet); the rollover counter and SRTCP index continue. The stream must
// have been created with an MKI of the same length.
func (s *Sender) Rekey(mki, key, salt []byte) error {
	if s.own != nil {
		return fmt.Errorf("scenario: SSRC %#08x: a re-key of a sender sealing with the project's srtp package is not supported", s.ssrc)
	}
	if err := s.ctx.AddCipherForMKI(mki, key, salt); err != nil {
		return fmt.Errorf("scenario: SSRC %#08x re-key: %w", s.ssrc, err)
	}
	if err := s.ctx.SetSendMKI(mki); err != nil {
		return fmt.Errorf("scenario: SSRC %#08x re-key: %w", s.ssrc, err)
	}
	return nil
}
