//! Printing against the real printer emulator: over TCP and over a serial pty, the rendered
//! ticket holds its code and a QR code that decodes, and ends in a cut; with no paper or the
//! cover open the kiosk refuses and nothing is printed; `antre-kiosk print-test` says why.

mod common;

use antre_core::domain::estimate::Estimate;
use antre_core::proto::PrinterStatus;
use antre_kiosk::printer::{Printer, PrinterSpec};
use antre_kiosk::ticket::{qr_payload, ticket_bytes, Paper, TicketPaper};
use common::{qr_codes, Emupos};
use std::process::Command;

fn ticket(code: &str) -> TicketPaper {
    TicketPaper {
        hall: "MPP Among Warga Kota Batu".into(),
        agency: "Dinas Kependudukan dan Pencatatan Sipil".into(),
        service: "KTP Elektronik".into(),
        code: code.into(),
        priority: Some("LANSIA".into()),
        issued: "Jumat, 27 November 2026  09:15".into(),
        estimate: Some(Estimate {
            ahead: 4,
            counters_open: 2,
            minutes: 20,
            range: None,
        }),
        visit: vec![],
        qr: qr_payload(None, "2026-11-27", code, None),
        booking: None,
    }
}

fn tcp(e: &Emupos) -> PrinterSpec {
    PrinterSpec::Tcp {
        host: "127.0.0.1".into(),
        port: e.tcp.port(),
    }
}

fn serial(e: &Emupos) -> PrinterSpec {
    PrinterSpec::Serial {
        path: e.serial.to_string_lossy().into_owned(),
        baud: 9600,
    }
}

fn prints_a_whole_ticket(e: &Emupos, spec: PrinterSpec, code: &str, paper: Paper) {
    let printer = Printer::new(spec);
    assert_eq!(printer.check().0, PrinterStatus::Ok);
    let job = ticket_bytes(&ticket(code), paper);
    assert!(job.len() <= 600, "{} bytes", job.len());
    assert_eq!(printer.print(&job), Ok(PrinterStatus::Ok));
    let r = e.next_receipt();
    assert_eq!(r.boundary, "cut", "the job ends in a cut");
    assert!(r.text.contains(code), "{}", r.text);
    assert!(r.text.contains("MPP Among Warga Kota Batu"), "{}", r.text);
    assert!(r.text.contains("Di depan Anda: 4 orang"), "{}", r.text);
    assert!(r.text.contains("PRIORITAS: LANSIA"), "{}", r.text);
    assert_eq!(
        qr_codes(&r.png),
        vec![format!("ANTRE:2026-11-27:{code}")],
        "the QR code decodes from the rendered ticket"
    );
}

#[test]
fn tickets_print_over_tcp_and_serial_on_both_paper_widths() {
    let e = Emupos::start();
    prints_a_whole_ticket(&e, tcp(&e), "A-012", Paper::Mm80);
    prints_a_whole_ticket(&e, serial(&e), "B-007", Paper::Mm80);
    prints_a_whole_ticket(&e, tcp(&e), "C-100", Paper::Mm58);
    // The status checks themselves print nothing.
    assert_eq!(e.receipt_count(), 3);
}

#[test]
fn paper_out_and_cover_open_refuse_and_print_nothing() {
    let e = Emupos::start();
    for spec in [tcp(&e), serial(&e)] {
        let printer = Printer::new(spec.clone());
        e.fault("paper-out", true);
        assert_eq!(printer.check().0, PrinterStatus::PaperOut, "{spec}");
        let err = printer
            .print(&ticket_bytes(&ticket("A-001"), Paper::Mm80))
            .unwrap_err();
        assert_eq!(err.status, PrinterStatus::PaperOut);
        e.fault("paper-out", false);

        e.fault("cover-open", true);
        assert_eq!(printer.check().0, PrinterStatus::CoverOpen, "{spec}");
        e.fault("cover-open", false);

        // Near the end of the roll it still prints (and the kiosk warns staff).
        e.fault("paper-near-end", true);
        assert_eq!(printer.check().0, PrinterStatus::PaperNearEnd, "{spec}");
        assert_eq!(
            printer.print(&ticket_bytes(&ticket("A-002"), Paper::Mm80)),
            Ok(PrinterStatus::PaperNearEnd)
        );
        let r = e.next_receipt();
        assert!(r.text.contains("A-002"));
        e.fault("paper-near-end", false);
    }
    // Only the two near-end tickets were printed: nothing held back came out after the
    // faults were cleared.
    assert_eq!(e.receipt_count(), 2);
}

#[test]
fn a_printer_that_is_not_there_does_not_answer() {
    // Port 1 on loopback: nothing listens there (a port freed by the test could be taken
    // by a printer another test starts meanwhile).
    let printer = Printer::new(PrinterSpec::Tcp {
        host: "127.0.0.1".into(),
        port: 1,
    });
    let (status, detail) = printer.check();
    assert_eq!(status, PrinterStatus::NoAnswer);
    assert!(detail.contains("refused"), "{detail}");
}

#[test]
fn print_test_exits_0_on_paper_and_says_why_without() {
    let e = Emupos::start();
    let exe = env!("CARGO_BIN_EXE_antre-kiosk");
    let run = |spec: &str| {
        let out = Command::new(exe)
            .args(["print-test", "--printer", spec])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let spec = format!("tcp:127.0.0.1:{}", e.tcp.port());
    let (code, said) = run(&spec);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("printed a sample ticket"), "{said}");
    assert!(e.next_receipt().text.contains("CETAK UJI"));

    e.fault("paper-out", true);
    let (code, said) = run(&format!("serial:{}", e.serial.display()));
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("out of paper"), "{said}");
    assert!(said.contains("kertas habis"), "{said}");

    let (code, said) = run("tcp:127.0.0.1:1");
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("does not answer"), "{said}");

    let (code, said) = run("lpt:1");
    assert_eq!(code, Some(2), "a bad spec is a usage error: {said}");
    assert!(said.contains("file:PATH"), "{said}");
    assert_eq!(e.receipt_count(), 1);
}
