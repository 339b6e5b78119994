"""rec_utils: the tested helper package behind the interest-lab notebooks.

Modules (one job each):
    paths      where the repository keeps data, processed tables and reports
    data       loading and verifying the embedded Online Retail data set
    download   download-and-cache with checksums and clear offline failures
    cleaning   transaction cleaning with a balanced accounting table
    tables     interaction tables derived from clean transactions
    results    metrics files, the errata record, the run environment
    run        papermill runner that executes notebooks and writes reports
"""

__version__ = "0.1.0"
