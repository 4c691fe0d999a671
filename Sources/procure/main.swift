import ProcureCLI
import Foundation

exit(ProcureMain.main())
