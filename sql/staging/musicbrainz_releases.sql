-- model: staging.musicbrainz_releases
-- key: release_id
-- kind: incremental by release_id
-- assert: not_null(title)
-- One row per MusicBrainz release, typed and with its identifiers normalized.
select
    release_id,
    release_group_id,
    r.title,
    nullif(r.disambiguation, '') as disambiguation,
    r.status,
    r.date as release_date,
    r.country,
    nullif(r.barcode, '') as barcode,
    norm_gtin(r.barcode) as gtin,
    r."label-info"[1].label.name as label,
    r."label-info"[1]."catalog-number" as catalog_number,
    array_to_string(list_transform(r."artist-credit", lambda c: c.name || coalesce(c.joinphrase, '')), '') as artist_credit,
    list_sum(list_transform(r.media, lambda m: try_cast(m."track-count" as integer))) as track_count,
    fetched_at, raw_file
from staging.musicbrainz_release_parsed
