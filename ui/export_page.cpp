#include "export_page.h"

namespace tiltbench {

ExportPage::ExportPage(QWidget* parent)
    : PlaceholderPage(
          tr("Export"), tr("Export a trained model and its recommendations for use outside Tiltbench."),
          {tr("self-contained TorchScript model loadable with torch.jit.load"),
           tr("weights and configuration as JSON/binary"), tr("top-k recommendations CSV and a run report")},
          parent) {}

}  // namespace tiltbench
