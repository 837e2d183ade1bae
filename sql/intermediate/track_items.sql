-- model: intermediate.track_items
-- key: provider, item_id
-- assert: not_null(title)
-- Every provider's tracks (MusicBrainz: recordings) in one shape, as given (the linker
-- reads titles and credits itself). `release_item_id` is the release the track was seen on (one of
-- them, for a recording on several).
with items as (
    select 'musicbrainz' as provider, recording_id as item_id, arg_min(release_id, release_id) as release_item_id,
           arg_min(title, release_id) as title, arg_min(artist_credit, release_id) as artist, max(length_ms) as duration_ms,
           null::double as popularity, 'https://musicbrainz.org/recording/' || recording_id as url,
           any_value(recording_disambiguation) as disambiguation, arg_min(raw_file, release_id) as raw_file
    from staging.musicbrainz_tracks
    group by recording_id
    union all
    select 'deezer', track_id::varchar, album_id::varchar, title, artist_name, duration_s * 1000, rank,
           'https://www.deezer.com/track/' || track_id, null, raw_file
    from staging.deezer_tracks
    union all
    select 'spotify', track_id, album_id, title, artist_credit, duration_ms, null, 'https://open.spotify.com/track/' || track_id, null, raw_file
    from staging.spotify_tracks
    union all
    select 'apple_music', song_id, album_id, title, artist_name, duration_ms, null, 'https://music.apple.com/song/' || song_id, null, raw_file
    from staging.apple_music_tracks
    union all
    select 'itunes', track_id::varchar, collection_id::varchar, title, artist_name, duration_ms, null,
           'https://music.apple.com/song/' || track_id, null, raw_file
    from staging.itunes_tracks
    where kind = 'song'
    union all
    select 'discogs', release_id || '#' || ordinal, release_id::varchar, title, artist_credit, duration_s * 1000, null,
           'https://www.discogs.com/release/' || release_id, null, raw_file
    from staging.discogs_tracks
    union all
    select 'lastfm', url, null, title, artist_name, duration_ms, listeners, url, null, raw_file
    from staging.lastfm_tracks
    union all
    select 'beatport', track_id::varchar, release_id::varchar, title || coalesce(' (' || nullif(mix_name, 'Original Mix') || ')', ''), artist_credit,
           duration_ms, null, 'https://www.beatport.com/track/-/' || track_id, null, raw_file
    from staging.beatport_tracks
    union all
    select 'genius', song_id::varchar, album_id::varchar, title, artist_name, null, null, url, null, raw_file
    from staging.genius_songs
)
select
    provider,
    item_id,
    release_item_id,
    title,
    artist,
    duration_ms,
    popularity,
    -- The provider's comment that tells versions apart, as given: the linker reads it.
    nullif(disambiguation, '') as disambiguation,
    url,
    -- The lake file the item was read from.
    raw_file
from items
where item_id is not null
