-- model: staging.tidal_release_items
-- materialized: view
-- canonical: tidal_album_id = min(try_cast(item_id as bigint))
-- TIDAL's albums in the conformed shape of release items. The title carries the
-- album's `version` in parentheses, as other stores show it; `track_count` is
-- `numberOfItems` (tracks and videos alike, as TIDAL counts them); `popularity` is
-- TIDAL's own 0-1 measure; `url` the album's sharing link.
select
    album_id::varchar as item_id,
    (title || coalesce(' (' || version || ')', ''))::varchar as title,
    artist_credit::varchar as artist,
    gtin::varchar as gtin,
    release_date::varchar as release_date,
    number_of_items::integer as track_count,
    popularity::double as popularity,
    url::varchar as url,
    raw_file::varchar as raw_file
from staging.tidal_albums
