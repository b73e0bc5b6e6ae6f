//! Choosing a ticket at the kiosk: an agency, a service, then the priority question, where
//! the visitor may add more services to one visit ("+ Tambah layanan lain?") or take one
//! off again. Each tap is a step on [`Choice`] that says where the kiosk goes next; the
//! request to the hub is made from what was chosen ([`Choice::request`]).

use antre_core::domain::{Priority, ServiceId};
use antre_core::proto::{Request, MAX_VISIT_SERVICES};

/// Where the ticket's choice is, as far as the screens go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// The agencies (the start screen).
    Agencies,
    /// The services of the chosen agency.
    Services,
    /// The priority question, with the visit listed.
    Priority,
}

/// What a tap leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Show this screen of the choice.
    Go(At),
    /// Ask the hub for the ticket now (a service that does not issue now: the hub refuses
    /// it in words and records the unmet demand).
    Issue,
    /// The tap changes nothing.
    Stay,
}

/// What the visitor has chosen so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choice {
    pub agency: Option<String>,
    /// The service chosen first (the ticket's, and the one a refusal names by default).
    pub service: Option<ServiceId>,
    /// The services the ticket will hold, in the order the visitor goes; more than one is a
    /// visit of several errands.
    pub visit: Vec<ServiceId>,
    /// The visitor is choosing one more service for the visit.
    pub adding: bool,
}

impl Choice {
    /// An agency tapped on the start screen.
    pub fn agency(&mut self, id: &str) -> Step {
        self.agency = Some(id.to_owned());
        Step::Go(At::Services)
    }

    /// A service tapped; `open`: it issues tickets now.
    pub fn service(&mut self, id: &ServiceId, open: bool) -> Step {
        if self.adding {
            // One more errand: only a service that issues now and is not on the ticket yet
            // (its card says why not); then back to the visit.
            if open && !self.visit.contains(id) && self.visit.len() < MAX_VISIT_SERVICES {
                self.visit.push(id.clone());
                self.adding = false;
                return Step::Go(At::Priority);
            }
            return Step::Stay;
        }
        self.service = Some(id.clone());
        self.visit = vec![id.clone()];
        if open {
            Step::Go(At::Priority)
        } else {
            Step::Issue
        }
    }

    /// Whether one more service fits on the visit.
    pub fn full(&self) -> bool {
        self.visit.len() >= MAX_VISIT_SERVICES
    }

    /// "+ Tambah layanan lain?": the agencies again, to add a service.
    pub fn add_more(&mut self) -> Step {
        if self.full() {
            return Step::Stay;
        }
        self.adding = true;
        Step::Go(At::Agencies)
    }

    /// "Hapus" on the visit's `index`-th service (never the last one left).
    pub fn remove(&mut self, index: i32) -> Step {
        match usize::try_from(index) {
            Ok(i) if i < self.visit.len() && self.visit.len() > 1 => {
                self.visit.remove(i);
                self.service = self.visit.first().cloned();
                Step::Go(At::Priority)
            }
            _ => Step::Stay,
        }
    }

    /// "‹ Kembali" from screen `at` of the choice.
    pub fn back(&mut self, at: At) -> At {
        match at {
            // Back from the question starts the choice again from that agency's services.
            At::Priority => {
                self.visit.clear();
                At::Services
            }
            // While adding a service: from the agencies back to the visit as it was.
            At::Agencies if self.adding => {
                self.adding = false;
                At::Priority
            }
            At::Services if self.adding => At::Agencies,
            At::Agencies | At::Services => At::Agencies,
        }
    }

    /// The request for the ticket with `priority`: one service goes as `service` alone, as
    /// every hub understands it; several as the visit. `None` before a service is chosen.
    pub fn request(&self, priority: Option<Priority>) -> Option<Request> {
        let service = self.visit.first().or(self.service.as_ref()).cloned()?;
        Some(Request::IssueTicket {
            service,
            priority,
            services: if self.visit.len() > 1 {
                self.visit.clone()
            } else {
                vec![]
            },
        })
    }

    /// The service a refusal is about: the one the hub named (a visit's), else the first.
    pub fn refused_service(&self, named: Option<ServiceId>) -> Option<ServiceId> {
        named.or_else(|| self.service.clone())
    }

    /// The services to mark as already chosen on the services screen (while adding).
    pub fn chosen(&self) -> &[ServiceId] {
        if self.adding {
            &self.visit
        } else {
            &[]
        }
    }
}

/// Why a ticket is given on the screen, for the visitor's phone, instead of on paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneWhy {
    /// This kiosk has no printer.
    NoPrinter,
    /// The printer could not print (paper, cover, offline, no answer).
    PrinterProblem,
}

/// How an issued ticket reaches the visitor: on paper (`None`), or on the screen and why. A
/// printer that cannot print turns nobody away.
pub fn delivery(has_printer: bool, printer_down: bool) -> Option<PhoneWhy> {
    if !has_printer {
        Some(PhoneWhy::NoPrinter)
    } else if printer_down {
        Some(PhoneWhy::PrinterProblem)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> ServiceId {
        ServiceId::new(s)
    }

    #[test]
    fn one_service_goes_alone_and_a_closed_one_is_asked_for_at_once() {
        let mut c = Choice::default();
        assert_eq!(c.agency("dukcapil"), Step::Go(At::Services));
        assert_eq!(c.service(&id("ktp"), true), Step::Go(At::Priority));
        assert_eq!(
            c.request(Some(Priority::Lansia)),
            Some(Request::IssueTicket {
                service: id("ktp"),
                priority: Some(Priority::Lansia),
                services: vec![],
            })
        );
        // A service that does not issue now: the hub is asked, to refuse it in words.
        let mut c = Choice::default();
        c.agency("samsat");
        assert_eq!(c.service(&id("bbn"), false), Step::Issue);
        assert_eq!(c.visit, vec![id("bbn")]);
    }

    #[test]
    fn a_visit_adds_services_in_order_refusing_duplicates_closed_ones_and_a_fifth() {
        let mut c = Choice::default();
        c.agency("dukcapil");
        c.service(&id("ktp"), true);
        assert_eq!(c.add_more(), Step::Go(At::Agencies));
        assert_eq!(c.chosen(), &[id("ktp")]);
        c.agency("dukcapil");
        // Already on the ticket, or not issuing now: nothing happens, the card says why.
        assert_eq!(c.service(&id("ktp"), true), Step::Stay);
        assert_eq!(c.service(&id("akta"), false), Step::Stay);
        assert_eq!(c.service(&id("kk"), true), Step::Go(At::Priority));
        assert!(!c.adding);
        for s in ["npwp", "bpjs"] {
            c.add_more();
            c.service(&id(s), true);
        }
        assert!(c.full());
        assert_eq!(c.add_more(), Step::Stay);
        assert_eq!(
            c.request(None),
            Some(Request::IssueTicket {
                service: id("ktp"),
                priority: None,
                services: vec![id("ktp"), id("kk"), id("npwp"), id("bpjs")],
            })
        );
    }

    #[test]
    fn a_ticket_goes_on_paper_unless_there_is_no_printer_or_it_cannot_print() {
        assert_eq!(delivery(true, false), None);
        assert_eq!(delivery(true, true), Some(PhoneWhy::PrinterProblem));
        assert_eq!(delivery(false, false), Some(PhoneWhy::NoPrinter));
        assert_eq!(delivery(false, true), Some(PhoneWhy::NoPrinter));
    }

    #[test]
    fn a_refusal_names_the_service_the_hub_named_else_the_first() {
        let mut c = Choice::default();
        c.service(&id("ktp"), true);
        c.add_more();
        c.service(&id("sip"), true);
        assert_eq!(c.refused_service(Some(id("sip"))), Some(id("sip")));
        assert_eq!(c.refused_service(None), Some(id("ktp")));
    }

    #[test]
    fn removing_keeps_the_order_and_never_the_last_one_and_back_steps_out() {
        let mut c = Choice::default();
        c.agency("dukcapil");
        c.service(&id("ktp"), true);
        c.add_more();
        c.service(&id("kk"), true);
        c.add_more();
        c.service(&id("akta"), true);
        assert_eq!(c.remove(0), Step::Go(At::Priority));
        assert_eq!(
            (c.visit.clone(), c.service.clone()),
            (vec![id("kk"), id("akta")], Some(id("kk")))
        );
        assert_eq!(c.remove(5), Step::Stay);
        assert_eq!(c.remove(-1), Step::Stay);
        c.remove(1);
        assert_eq!(c.remove(0), Step::Stay, "the last one stays");
        // Adding, then back twice: the agencies, then the visit as it was.
        c.add_more();
        c.agency("samsat");
        assert_eq!(c.back(At::Services), At::Agencies);
        assert_eq!(c.back(At::Agencies), At::Priority);
        assert_eq!(c.visit, vec![id("kk")]);
        // Back from the question: the agency's services, the visit forgotten.
        assert_eq!(c.back(At::Priority), At::Services);
        assert!(c.visit.is_empty());
    }
}
