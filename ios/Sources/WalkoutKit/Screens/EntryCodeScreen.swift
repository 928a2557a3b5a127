// The entry code screen: the QR symbol, the countdown, and the brightness and idle-timer
// flags applied while it is visible. Apple platforms only; not compiled on Linux.

#if canImport(SwiftUI) && canImport(UIKit) && canImport(CoreImage)
import CoreImage.CIFilterBuiltins
import SwiftUI
import UIKit

public struct EntryCodeScreen: View {
    @StateObject private var observed: ObservedModel<EntryCodeState, EntryCodeViewModel>
    @State private var savedBrightness: CGFloat?

    public init(model: EntryCodeViewModel) {
        _observed = StateObject(wrappedValue: ObservedModel(model))
    }

    public var body: some View {
        VStack(spacing: 24) {
            switch observed.state.phase {
            case .loading:
                ProgressView()
            case .showing:
                if let text = observed.state.codeText, let image = Self.qrImage(text) {
                    Image(uiImage: image)
                        .interpolation(.none)
                        .resizable()
                        .scaledToFit()
                        .accessibilityLabel(Text("Entry code"))
                }
                Text(String(format: NSLocalizedString("entry_refresh", comment: ""), "\(observed.state.secondsLeft)"))
                Text(NSLocalizedString("entry_hint", comment: "")).font(.footnote)
            case .needsConnection(let message), .failed(let message):
                Text(message).multilineTextAlignment(.center)
            }
        }
        .padding()
        .onAppear { observed.model.appear() }
        .onDisappear { observed.model.disappear() }
        .onChange(of: observed.state.wantsFullBrightness) { wants in applyBrightness(wants) }
        .onChange(of: observed.state.keepsScreenAwake) { awake in
            UIApplication.shared.isIdleTimerDisabled = awake
        }
    }

    private func applyBrightness(_ full: Bool) {
        if full {
            savedBrightness = UIScreen.main.brightness
            UIScreen.main.brightness = 1
        } else if let saved = savedBrightness {
            UIScreen.main.brightness = saved
            savedBrightness = nil
        }
    }

    /// Renders `text` at error-correction level M with the 4-module quiet zone that Core Image
    /// adds, dark on light.
    private static func qrImage(_ text: String) -> UIImage? {
        let filter = CIFilter.qrCodeGenerator()
        filter.message = Data(text.utf8)
        filter.correctionLevel = "M"
        guard let output = filter.outputImage?.transformed(by: CGAffineTransform(scaleX: 8, y: 8)),
            let image = CIContext().createCGImage(output, from: output.extent)
        else { return nil }
        return UIImage(cgImage: image)
    }
}
#endif
