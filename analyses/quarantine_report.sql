-- What the export got wrong: quarantined rows per reason and file, for whoever fixes the export.

select
    source_file_name,
    quarantine_reason,
    count(*) as row_count
from {{ ref('stg_orders_export__quarantined_submissions') }}
group by source_file_name, quarantine_reason
order by source_file_name asc, row_count desc
