package mikey

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/mikeyscope/mikeyscope/mikey/sakke"
)

// 3GPP ID roles of IDR payloads in mission-critical I_MESSAGEs
// (TS 33.180 §E.2, §E.3): the UIDs of the initiator and of the responder.
// They are outside the IANA list of RFC 6043; published messages carry
// them so.
const (
	RoleInitiatorUID IDRole = 8
	RoleResponderUID IDRole = 9
)

// SAKKEKMS is what opening needs of a KMS certificate (TS 33.180
// §D.3.2.2): its URI, the identifier format of its users, its key period
// and public keys. Z and KPAK are also tried as any other supplied key.
type SAKKEKMS struct {
	URI    string
	Format UserIDFormat
	// Period.Length is 0 when the key period is unknown.
	Period  KeyPeriod
	Z, KPAK []byte
	Source  string
}

// SAKKEUser is a user's key set (TS 33.180 §D.3.2.3 KmsKeySet, or an RSK
// bound to its URI on the command line): its URI, UID and key period
// number, as far as known.
type SAKKEUser struct {
	URI      string
	UID      []byte
	PeriodNo uint64
	// HavePeriodNo says PeriodNo is known.
	HavePeriodNo bool
	KMSURI       string
	Source       string
}

// idCandidate is one identifier a party may have been addressed by.
type idCandidate struct {
	id     []byte
	scheme UserIDFormat // UserIDFormatUnknown for a supplied identifier
	delta  int          // key periods away from the message's
	label  string
}

// sakkeParty is what is known of one party's identity.
type sakkeParty struct {
	role    string // "responder", "initiator"
	uri     string
	uriFrom string
	uid     []byte // from the IDR payload with the UID role
	kmsURI  string // from IDRkmsi/IDRkmsr
	kms     *SAKKEKMS
	cands   []idCandidate
	// verbatim: the identifier was supplied (SAKKEKeys.ResponderID...).
	verbatim bool
}

// periodNo returns the message's key period number under the party's KMS.
func (pt *sakkeParty) periodNo(t time.Time, haveT bool) (uint64, bool) {
	if pt.kms == nil || pt.kms.Period.Length == 0 || !haveT {
		return 0, false
	}
	n, err := pt.kms.Period.Number(t)
	return n, err == nil
}

// findKMS returns the supplied KMS of the URI: the one named, else the only
// one supplied.
func findKMS(k SAKKEKeys, uri string, res *SAKKEResult, role string) *SAKKEKMS {
	for i := range k.KMS {
		if k.KMS[i].URI == uri {
			return &k.KMS[i]
		}
	}
	if len(k.KMS) == 1 {
		if uri != "" && k.KMS[0].URI != "" {
			res.note(fmt.Sprintf("the %s's KMS %q is not among the supplied KMS certificates; using %q's key period", role, uri, k.KMS[0].URI))
		}
		return &k.KMS[0]
	}
	return nil
}

// resolveParty gathers the party's URI, UID and KMS and the identifiers to
// try, the preferred scheme first, then the other scheme, then the
// neighbouring key periods (TS 33.180 §F.2.1, RFC 6509 §3.2, §3.3).
func resolveParty(m *Message, k SAKKEKeys, opts OpenOptions, t time.Time, haveT bool, responder bool, res *SAKKEResult) *sakkeParty {
	pt := &sakkeParty{role: "initiator"}
	roleURI, roleUID, roleKMS, verbatim, hint := RoleInitiator, RoleInitiatorUID, RoleInitiatorKMS, k.InitiatorID, opts.InitiatorID
	if responder {
		pt.role = "responder"
		roleURI, roleUID, roleKMS, verbatim, hint = RoleResponder, RoleResponderUID, RoleResponderKMS, k.ResponderID, opts.ResponderID
	}
	if p := m.IDR(roleURI); p != nil {
		pt.uri, pt.uriFrom = string(p.Data), "IDR payload"
	}
	if p := m.IDR(roleUID); p != nil {
		pt.uid = p.Data
	}
	if p := m.IDR(roleKMS); p != nil {
		pt.kmsURI = string(p.Data)
	}
	pt.kms = findKMS(k, pt.kmsURI, res, pt.role)
	kmsURI := pt.kmsURI
	if kmsURI == "" && pt.kms != nil {
		kmsURI = pt.kms.URI
	}
	if len(verbatim) > 0 {
		pt.verbatim = true
		pt.cands = []idCandidate{{id: verbatim, label: "supplied identifier"}}
		return pt
	}
	n, haveN := pt.periodNo(t, haveT)
	uidOf := func(uri string, d int) ([]byte, bool) {
		if !haveN || kmsURI == "" || (d < 0 && n == 0) {
			return nil, false
		}
		return MCUID(uri, kmsURI, pt.kms.Period, uint64(int64(n)+int64(d))), true
	}
	// A UID without a URI: name its user from the key sets, or from the
	// URIs of the signalling whose UID it is.
	if pt.uri == "" && len(pt.uid) > 0 {
		for _, u := range k.Users {
			if u.URI != "" && bytes.Equal(u.UID, pt.uid) {
				pt.uri, pt.uriFrom = u.URI, "key set "+u.Source
				break
			}
		}
	}
	if pt.uri == "" && len(pt.uid) > 0 {
		var uris []string
		if len(hint) > 0 {
			uris = append(uris, string(hint))
		}
		uris = append(uris, opts.PartyURIs...)
		for _, u := range [][]byte{opts.InitiatorID, opts.ResponderID} {
			if len(u) > 0 {
				uris = append(uris, string(u))
			}
		}
		for _, u := range k.Users {
			uris = append(uris, u.URI)
		}
	search:
		for _, u := range uris {
			for _, d := range []int{0, -1, 1} {
				if id, ok := uidOf(u, d); ok && bytes.Equal(id, pt.uid) {
					pt.uri, pt.uriFrom = u, "UID match"
					break search
				}
			}
		}
	}
	if pt.uri == "" && len(hint) > 0 {
		pt.uri, pt.uriFrom = string(hint), "signalling"
	}
	preferred := UserIDFormatUnknown
	if pt.kms != nil {
		preferred = pt.kms.Format
	}
	if preferred == UserIDFormatUnknown {
		preferred = UserIDFormatRFC6509
		if len(pt.uid) > 0 {
			preferred = UserIDFormatUID
		} else if p := m.SAKKE(); p != nil && p.IDScheme == 2 && responder {
			preferred = UserIDFormatUID
		}
	}
	add := func(c idCandidate) {
		for _, o := range pt.cands {
			if bytes.Equal(o.id, c.id) {
				return
			}
		}
		pt.cands = append(pt.cands, c)
	}
	uidCands := func(delta bool) {
		if !delta && len(pt.uid) > 0 {
			d, label := 0, "UID in the IDR payload (role "+roleUID.String()+")"
			if pt.uri != "" {
				for _, dd := range []int{0, -1, 1} {
					if id, ok := uidOf(pt.uri, dd); ok && bytes.Equal(id, pt.uid) {
						d = dd
						break
					}
				}
			}
			add(idCandidate{id: pt.uid, scheme: UserIDFormatUID, delta: d, label: label})
		}
		if pt.uri == "" {
			return
		}
		for _, d := range []int{0, -1, 1} {
			if (d == 0) == delta {
				continue
			}
			if id, ok := uidOf(pt.uri, d); ok {
				add(idCandidate{id: id, scheme: UserIDFormatUID, delta: d, label: fmt.Sprintf("UID of %q at %s, key period %d", pt.uri, kmsURI, int64(n)+int64(d))})
			}
		}
	}
	rfcCands := func(delta bool) {
		if pt.uri == "" || !haveT {
			return
		}
		for _, d := range []int{0, -1, 1} {
			if (d == 0) == delta {
				continue
			}
			mt := time.Date(t.Year(), t.Month()+time.Month(d), 1, 0, 0, 0, 0, time.UTC)
			add(idCandidate{id: sakke.Identity(pt.uri, mt), scheme: UserIDFormatRFC6509, delta: d, label: fmt.Sprintf("RFC 6509 identifier of %q for %s", pt.uri, mt.Format("2006-01"))})
		}
	}
	for _, delta := range []bool{false, true} {
		if preferred == UserIDFormatUID {
			uidCands(delta)
			rfcCands(delta)
		} else {
			rfcCands(delta)
			uidCands(delta)
		}
	}
	if len(pt.uid) > 0 && pt.uri != "" && haveN && pt.cands[0].delta == 0 {
		if id, _ := uidOf(pt.uri, 0); !bytes.Equal(id, pt.uid) && !matchesNeighbour(pt, uidOf) {
			res.note(fmt.Sprintf("the %s's UID %s in the IDR payload is not the UID of %q under %s in key periods %d±1", pt.role, shortHex(pt.uid), pt.uri, kmsURI, n))
		}
	}
	return pt
}

func matchesNeighbour(pt *sakkeParty, uidOf func(string, int) ([]byte, bool)) bool {
	for _, d := range []int{-1, 1} {
		if id, ok := uidOf(pt.uri, d); ok && bytes.Equal(id, pt.uid) {
			return true
		}
	}
	return false
}

// primary returns the identifier the party is expected to have: the first
// candidate of the current key period.
func (pt *sakkeParty) primary() []byte {
	for _, c := range pt.cands {
		if c.delta == 0 {
			return c.id
		}
	}
	return nil
}

func shortHex(b []byte) string {
	if len(b) > 8 {
		return hex.EncodeToString(b[:8]) + "…"
	}
	return hex.EncodeToString(b)
}

// schemeCheck notes an identifier that matched in a scheme other than the
// KMS's (TS 33.180 §D.3.2.2 UserIdFormat): a message signed or encrypted
// with an RFC 6509 identifier under a UID KMS, or the other way round.
func schemeCheck(pt *sakkeParty, c idCandidate, what string, res *SAKKEResult) {
	if pt.kms == nil || pt.kms.Format == UserIDFormatUnknown || c.scheme == UserIDFormatUnknown || c.scheme == pt.kms.Format {
		return
	}
	s := fmt.Sprintf("%s uses the %s identifier scheme, but the KMS %q declares UserIdFormat %d (%s)", what, c.scheme.Scheme(), pt.kms.URI, pt.kms.Format, pt.kms.Format)
	res.SchemeMismatch = append(res.SchemeMismatch, s)
	res.note(s)
}
