// The entry screen: the rotating code shown at the store gate, its countdown, and the flags
// the screen applies while it is visible (full brightness, idle timer off).
//
// Codes come from the core, which derives them offline from the stored credential. This view
// model only decides when to request one: it counts down on the injected clock and requests a
// new code when the countdown reaches zero. A device that cannot reach the backend keeps
// showing codes while its stored credential lasts. Once that has lapsed, the screen tells the
// shopper to connect.

import Foundation

public struct EntryCodeState: Equatable {
    public enum Phase: Equatable {
        case loading
        /// `codeText` contains a code to render as a QR symbol.
        case showing
        /// No usable credential and no connection: show `message` (for example, "connect to
        /// renew your entry code").
        case needsConnection(message: String)
        case failed(message: String)
    }

    public var phase: Phase = .loading
    /// The code to encode in the QR symbol. It admits its holder to the store: never log it.
    public var codeText: String?
    /// The time step the code encodes; it changes at every rotation.
    public var step: UInt32?
    /// Whole seconds until the next code, rounded up.
    public var secondsLeft: UInt32 = 0
    /// The backend could not be reached: codes come from the stored credential.
    public var isOffline = false
    /// The screen sets full brightness while true and restores the shopper's level after.
    public var wantsFullBrightness = false
    /// The screen turns the idle timer off while true, so the phone does not lock at the gate.
    public var keepsScreenAwake = false
}

public final class EntryCodeViewModel: ViewModel<EntryCodeState> {
    private let source: EntryCodeSource
    private let clock: Clock
    private let worker: Worker
    private let fullBrightness: Bool
    private var rotationAt: Date?
    private var timer: ScheduledWork?

    /// `fullBrightness` comes from the brand pack (`entry.brightness = "max"`).
    public init(source: EntryCodeSource, clock: Clock, worker: Worker, fullBrightness: Bool = true) {
        self.source = source
        self.clock = clock
        self.worker = worker
        self.fullBrightness = fullBrightness
        super.init(state: EntryCodeState())
    }

    /// Starts showing codes: makes sure a credential exists (enrolling or renewing when the
    /// backend can be reached), then shows the current code.
    public func appear() {
        update {
            $0.phase = .loading
            $0.wantsFullBrightness = fullBrightness
            $0.keepsScreenAwake = true
        }
        let source = self.source
        worker.perform({ try source.ensureEntryCredential() }) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success:
                update { $0.isOffline = false }
                refreshCode()
            case .failure(let error) where isOffline(error):
                showStoredCredential(offlineError: error)
            case .failure(let error):
                fail(error)
            }
        }
    }

    /// Stops the countdown and releases brightness and the idle timer.
    public func disappear() {
        timer?.cancel()
        timer = nil
        rotationAt = nil
        update {
            $0.wantsFullBrightness = false
            $0.keepsScreenAwake = false
        }
    }

    /// Shows codes from the stored credential while offline. The core derives them until the
    /// credential lapses, then returns an error naming `entry_credential`.
    private func showStoredCredential(offlineError: Error) {
        let source = self.source
        worker.perform({ try source.entryCredential() }) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(.some):
                update { $0.isOffline = true }
                refreshCode()
            case .success(.none):
                update { $0.phase = .needsConnection(message: errorMessage(for: offlineError)) }
            case .failure(let error):
                fail(error)
            }
        }
    }

    private func refreshCode() {
        let source = self.source
        worker.perform({ try source.entryCode() }) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let code):
                show(code)
            case .failure(let error):
                fail(error)
            }
        }
    }

    private func show(_ code: EntryCode) {
        let now = clock.now
        rotationAt = now.addingTimeInterval(Double(code.millisUntilRotation) / 1000)
        update {
            $0.phase = .showing
            $0.codeText = code.text
            $0.step = code.step
            $0.secondsLeft = code.secondsUntilRotation
        }
        scheduleTick(now: now)
    }

    /// Ticks at every whole second of the countdown, and exactly at the rotation.
    private func scheduleTick(now: Date) {
        guard let rotationAt else { return }
        let remaining = rotationAt.timeIntervalSince(now)
        let fraction = remaining - floor(remaining)
        let delay = remaining <= 1 ? max(remaining, 0) : (fraction > 0 ? fraction : 1)
        timer?.cancel()
        timer = clock.schedule(after: delay) { [weak self] in self?.tick() }
    }

    private func tick() {
        guard let rotationAt else { return }
        let now = clock.now
        let remaining = rotationAt.timeIntervalSince(now)
        if remaining <= 0 {
            refreshCode()
            return
        }
        update { $0.secondsLeft = UInt32(ceil(remaining)) }
        scheduleTick(now: now)
    }

    private func fail(_ error: Error) {
        timer?.cancel()
        timer = nil
        let message = errorMessage(for: error)
        update {
            $0.codeText = nil
            $0.step = nil
            // An unusable credential (never enrolled, or lapsed offline) needs the network.
            if case .InvalidInput(field: "entry_credential", reason: _) = error as? WalkoutFfiError {
                $0.phase = .needsConnection(message: message)
            } else {
                $0.phase = .failed(message: message)
            }
        }
    }
}
