package seed

import (
	"math/big"

	"github.com/crm-team/crm/db/store"
)

func bigInt(n int64) *big.Int { return big.NewInt(n) }

// LeadSources are the sources the demo data draws from.
var LeadSources = []string{"Website", "Referral", "Trade show", "Cold call", "Partner", "Webinar", "LinkedIn"}

var (
	firstNames = []string{"Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas",
		"Mia", "Mateo", "Amelia", "Benjamin", "Harper", "Hiroshi", "Priya", "Chen", "Fatima", "Diego",
		"Ingrid", "Kwame", "Zofia", "Rafael", "Aisha", "Lars", "Mei", "Omar", "Nadia", "Tomás"}
	lastNames = []string{"Smith", "Johnson", "Nakamura", "Garcia", "Müller", "Okafor", "Rossi", "Kowalski", "Dubois",
		"Andersson", "Patel", "Kim", "O'Brien", "Santos", "Novak", "Haddad", "Lindqvist", "Moreau", "Ibrahim",
		"Fischer", "Costa", "Brennan", "Yilmaz", "Van der Berg", "Nguyen", "Schmidt", "Alvarez", "Chowdhury"}
	companyStarts = []string{"Northwind", "Bluepeak", "Cedar", "Ironbridge", "Lumen", "Harbor", "Summit", "Quartz",
		"Redwood", "Silverline", "Brightwater", "Granite", "Orchid", "Vantage", "Keystone", "Meridian",
		"Pinecrest", "Atlas", "Crescent", "Evergreen", "Falcon", "Juniper", "Beacon", "Copperleaf"}
	companyEnds     = []string{"Logistics", "Health", "Foods", "Robotics", "Analytics", "Energy", "Outfitters", "Labs", "Freight", "Studios", "Systems", "Dental"}
	leadCompanyEnds = []string{"Partners", "Group", "Holdings", "Co", "Ventures", "Works", "Supply", "Clinics"}
	industries      = []string{"Logistics", "Healthcare", "Food & beverage", "Manufacturing", "Software", "Energy", "Retail", "Financial services"}
	titles          = []string{"CEO", "CFO", "Head of Operations", "IT Director", "Procurement Manager", "VP Sales", "Office Manager", "CTO", "Buyer"}
	streets         = []string{"Market Street", "Harbour Road", "Elm Avenue", "King Street", "Station Road", "Mill Lane", "Park Avenue"}
	cities          = [][2]string{{"Boston", "US"}, {"Austin", "US"}, {"Denver", "US"}, {"Toronto", "CA"}, {"London", "GB"}, {"Manchester", "GB"}, {"Dublin", "IE"}, {"Berlin", "DE"}, {"Lyon", "FR"}}
	dealKinds       = []string{"Annual licence", "Pilot", "Expansion", "Renewal", "Onboarding package", "Support upgrade", "New site rollout"}
	lostReasons     = []string{"Went with a competitor", "No budget this year", "Project cancelled", "Price too high", "No decision maker"}
	callOutcomes    = []string{"Connected", "Left voicemail", "No answer", "Booked a meeting", "Asked for a proposal"}
	noteBodies      = []string{
		"Budget is approved for Q3. Decision maker is the CFO.",
		"They are comparing us with two other vendors; price is the main concern.",
		"Wants a reference customer in the same industry.",
		"Follow up after their board meeting next month.",
	}
	subjects = map[store.ActivityType][]string{
		store.ActivityTypeNote:    {"Discovery notes", "Pricing feedback", "Org chart", "Competitor mentioned"},
		store.ActivityTypeCall:    {"Intro call", "Follow-up call", "Pricing call", "Check-in"},
		store.ActivityTypeEmail:   {"Sent proposal", "Sent case study", "Replied to questions", "Sent contract draft"},
		store.ActivityTypeMeeting: {"Demo", "On-site visit", "Kick-off meeting", "Quarterly review"},
		store.ActivityTypeTask:    {"Send proposal", "Prepare quote", "Call back", "Book demo", "Update forecast", "Chase signature"},
	}
)
