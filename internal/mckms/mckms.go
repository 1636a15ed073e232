// Package mckms is a deterministic mission-critical KMS for tests and
// samples (3GPP TS 33.180): a SAKKE master secret and an ECCSI KSAK drawn
// from a seed, users' key sets for UID identifiers (§F.2.1) or RFC 6509
// ones, and the KMS provisioning documents of Annex D (KmsCertificate,
// KmsKeySet, wrapped in KmsResponse) as a KMS would send them.
package mckms

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/mikeyscope/mikeyscope/mikey"
	"github.com/mikeyscope/mikeyscope/mikey/eccsi"
	"github.com/mikeyscope/mikeyscope/mikey/sakke"
)

// Seeded is a deterministic byte stream: SHA-256(seed || counter).
type Seeded struct {
	Seed string
	ctr  uint64
	buf  []byte
}

func (r *Seeded) Read(p []byte) (int, error) {
	for n := 0; n < len(p); {
		if len(r.buf) == 0 {
			var c [8]byte
			binary.BigEndian.PutUint64(c[:], r.ctr)
			r.ctr++
			sum := sha256.Sum256(append([]byte(r.Seed), c[:]...))
			r.buf = sum[:]
		}
		k := copy(p[n:], r.buf)
		r.buf, n = r.buf[k:], n+k
	}
	return len(p), nil
}

// KMS is a generated KMS.
type KMS struct {
	URI     string
	Format  mikey.UserIDFormat
	Period  mikey.KeyPeriod
	Z, KPAK []byte
	z, ksak *big.Int
	rnd     *Seeded
}

func scalar(r *Seeded) *big.Int {
	b := make([]byte, 40)
	r.Read(b)
	v := new(big.Int).SetBytes(b)
	v.Mod(v, new(big.Int).Sub(eccsi.Order(), big.NewInt(1)))
	return v.Add(v, big.NewInt(1))
}

// New generates a KMS of UserIdFormat 2 from seed (RFC 6508 §6.1,
// RFC 6507 §4.2).
func New(seed, uri string, period mikey.KeyPeriod) (*KMS, error) {
	pp := sakke.ParameterSet1()
	rnd := &Seeded{Seed: seed}
	z, err := pp.GenerateMasterSecret(rnd)
	if err != nil {
		return nil, err
	}
	Z, err := pp.PublicKey(z)
	if err != nil {
		return nil, err
	}
	ksak := scalar(rnd)
	kpak, err := eccsi.KPAK(ksak)
	if err != nil {
		return nil, err
	}
	return &KMS{URI: uri, Format: mikey.UserIDFormatUID, Period: period, Z: pp.MarshalPoint(Z), KPAK: eccsi.MarshalPoint(kpak), z: z, ksak: ksak, rnd: rnd}, nil
}

// KeySet is a user's keys for one key period (TS 33.180 §D.3.2.3).
type KeySet struct {
	UserURI  string
	UID      []byte // the identifier: a UID, or an RFC 6509 identifier
	PeriodNo uint64
	RSK      []byte
	SSK      []byte
	PVT      []byte
}

// Issue returns the key set of a user for an identifier (RFC 6508 §6.1.1,
// RFC 6507 §5.1.1).
func (k *KMS) Issue(uri string, id []byte, n uint64) (KeySet, error) {
	pp := sakke.ParameterSet1()
	rsk, err := pp.ExtractRSK(k.z, id)
	if err != nil {
		return KeySet{}, err
	}
	ssk, pvt, err := eccsi.IssueSSK(k.ksak, id, scalar(k.rnd))
	if err != nil {
		return KeySet{}, err
	}
	ks := KeySet{UserURI: uri, UID: id, PeriodNo: n, RSK: pp.MarshalPoint(rsk), SSK: make([]byte, 32), PVT: eccsi.MarshalPoint(pvt)}
	ssk.FillBytes(ks.SSK)
	return ks, nil
}

// UIDKeySet issues the key set of a user's UID for key period n.
func (k *KMS) UIDKeySet(uri string, n uint64) (KeySet, error) {
	return k.Issue(uri, mikey.MCUID(uri, k.URI, k.Period, n), n)
}

// RFC6509KeySet issues the key set of a user's RFC 6509 identifier for
// the month of t.
func (k *KMS) RFC6509KeySet(uri string, t time.Time) (KeySet, error) {
	return k.Issue(uri, sakke.Identity(uri, t), 0)
}

// PeriodNo returns the key period number of t.
func (k *KMS) PeriodNo(t time.Time) uint64 {
	n, err := k.Period.Number(t)
	if err != nil {
		panic(err)
	}
	return n
}

// SAKKEKeys returns the KMS and the key sets as opening keys: the RSKs of
// the sets with rsk true bound to their users.
func (k *KMS) SAKKEKeys(withCert bool, rsks []KeySet, others ...KeySet) mikey.SAKKEKeys {
	out := mikey.SAKKEKeys{Zs: [][]byte{k.Z}, KPAKs: [][]byte{k.KPAK}, Source: "test KMS " + k.URI}
	if withCert {
		out.KMS = []mikey.SAKKEKMS{{URI: k.URI, Format: k.Format, Period: k.Period, Z: k.Z, KPAK: k.KPAK}}
	}
	user := func(s KeySet) mikey.SAKKEUser {
		return mikey.SAKKEUser{URI: s.UserURI, UID: s.UID, PeriodNo: s.PeriodNo, HavePeriodNo: true, KMSURI: k.URI}
	}
	for _, s := range rsks {
		out.RSKs = append(out.RSKs, s.RSK)
		out.RSKUsers = append(out.RSKUsers, user(s))
		out.Users = append(out.Users, user(s))
	}
	for _, s := range others {
		out.Users = append(out.Users, user(s))
	}
	return out
}

const ns = "urn:3gpp:ns:mcsecKMSInterface:1.0"

// CertificateXML is the KMS certificate as a KmsResponse to a KMS init
// request (TS 33.180 §D.2.3, §D.3.2.2).
func (k *KMS) CertificateXML(user string, at time.Time) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<KmsResponse xmlns=\"%s\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" Version=\"1.0.0\">\n", ns)
	fmt.Fprintf(&b, "  <UserUri>%s</UserUri>\n  <KmsUri>%s</KmsUri>\n  <Time>%s</Time>\n  <ClientReqUrl>https://%s/keymanagement/identity/v1/init</ClientReqUrl>\n", user, k.URI, at.UTC().Format("2006-01-02T15:04:05"), k.URI)
	b.WriteString("  <KmsMessage>\n    <KmsInit Version=\"1.0.0\">\n")
	fmt.Fprintf(&b, "      <KmsCertificate Version=\"1.1.0\" Role=\"Root\">\n        <KmsUri>%s</KmsUri>\n        <UserIdFormat>%d</UserIdFormat>\n        <UserKeyPeriod>%d</UserKeyPeriod>\n        <UserKeyOffset>%d</UserKeyOffset>\n", k.URI, k.Format, k.Period.Length, k.Period.Offset)
	fmt.Fprintf(&b, "        <PubEncKey>%s</PubEncKey>\n        <PubAuthKey>%s</PubAuthKey>\n      </KmsCertificate>\n", strings.ToUpper(hex.EncodeToString(k.Z)), strings.ToUpper(hex.EncodeToString(k.KPAK)))
	b.WriteString("    </KmsInit>\n  </KmsMessage>\n</KmsResponse>\n")
	return []byte(b.String())
}

// KeyProvXML is a KmsResponse to a key provisioning request carrying the
// key sets (TS 33.180 §D.2.3, §D.3.2.3), several periods if given.
func (k *KMS) KeyProvXML(user string, at time.Time, sets ...KeySet) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<KmsResponse xmlns=\"%s\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" Version=\"1.0.0\">\n", ns)
	fmt.Fprintf(&b, "  <UserUri>%s</UserUri>\n  <KmsUri>%s</KmsUri>\n  <Time>%s</Time>\n  <ClientReqUrl>https://%s/keymanagement/identity/v1/keyprov</ClientReqUrl>\n", user, k.URI, at.UTC().Format("2006-01-02T15:04:05"), k.URI)
	b.WriteString("  <KmsMessage>\n    <KmsKeyProv Version=\"1.0.0\" xsi:type=\"KmsKeyProvTkIkType\">\n")
	for _, s := range sets {
		fmt.Fprintf(&b, "      <KmsKeySet Version=\"1.1.0\">\n        <KmsUri>%s</KmsUri>\n        <UserUri>%s</UserUri>\n        <UserID>%x</UserID>\n        <KeyPeriodNo>%d</KeyPeriodNo>\n", k.URI, s.UserURI, s.UID, s.PeriodNo)
		fmt.Fprintf(&b, "        <UserDecryptKey xsi:type=\"KeyContentType\">%X</UserDecryptKey>\n        <UserSigningKeySSK xsi:type=\"KeyContentType\">%X</UserSigningKeySSK>\n        <UserPubTokenPVT xsi:type=\"KeyContentType\">%X</UserPubTokenPVT>\n      </KmsKeySet>\n", s.RSK, s.SSK, s.PVT)
	}
	b.WriteString("    </KmsKeyProv>\n  </KmsMessage>\n</KmsResponse>\n")
	return []byte(b.String())
}
